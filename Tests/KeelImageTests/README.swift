// Tests of KeelImage live beside this file, one suite per file.
