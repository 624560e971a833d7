import KeelCLI

KeelMain.run(CommandLine.arguments.dropFirst())
