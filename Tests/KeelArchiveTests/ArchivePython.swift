/// The Python programs the tests make and extract archives with: python3's tarfile and
/// zipfile are the reference implementation Keel's unpacker is compared against.
enum ArchivePython {
    /// Makes an archive from a JSON spec (argv[1]): `out`, `kind` (tar or zip), tar `format`
    /// (ustar, gnu, pax) and `compression` (none, gz, xz), and `members`: `name`, `type` (file,
    /// dir, symlink, hardlink, chr, fifo), `mode`, `link`, and content as `text` or
    /// `random` bytes (with `seed`); zip members also take `method` (stored, deflated, bzip2).
    /// Options: `base256` (every tar size field in base-256), `v7` (no ustar magic),
    /// `paxsize` (sizes only in pax records, the header's field 0), `zip64` (rewrite the zip's
    /// central directory with zip64 fields and end records), `encrypt` (set the encrypted flag).
    static let make = #"""
        import gzip, io, json, lzma, random, struct, sys, tarfile, zipfile

        spec = json.load(open(sys.argv[1]))

        def content(member):
            if "random" in member:
                return random.Random(member.get("seed", 0)).randbytes(member["random"])
            return member.get("text", "").encode()

        def rewrite_headers(data):
            offset, pax_size = 0, None
            while offset + 512 <= len(data) and any(data[offset:offset + 512]):
                header = data[offset:offset + 512]
                kind = bytes(header[156:157])
                size = tarfile.nti(bytes(header[124:136]))
                regular = kind in (b"0", b"\0")
                if regular and pax_size is not None:
                    size = pax_size
                    header[124:136] = b"00000000000\0"
                if spec.get("base256"):
                    header[124:136] = b"\x80" + tarfile.nti(bytes(header[124:136])).to_bytes(11, "big")
                if spec.get("v7"):
                    header[257:265] = bytes(8)
                header[148:156] = b"        "
                header[148:156] = b"%06o\0 " % sum(header)
                data[offset:offset + 512] = header
                if kind == b"x":
                    records = bytes(data[offset + 512:offset + 512 + size]).split(b"\n")
                    sizes = [int(r.split(b"=", 1)[1]) for r in records if b" size=" in r]
                    pax_size = sizes[0] if sizes else None
                elif kind not in (b"L", b"K", b"g"):
                    pax_size = None
                with_data = regular or kind in (b"x", b"L", b"K", b"g")
                offset += 512 + ((size + 511) // 512 * 512 if with_data else 0)

        def make_tar():
            formats = {"ustar": tarfile.USTAR_FORMAT, "gnu": tarfile.GNU_FORMAT, "pax": tarfile.PAX_FORMAT}
            types = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
                     "hardlink": tarfile.LNKTYPE, "chr": tarfile.CHRTYPE, "fifo": tarfile.FIFOTYPE}
            raw = io.BytesIO()
            with tarfile.open(fileobj=raw, mode="w", format=formats[spec.get("format", "pax")]) as tar:
                for member in spec["members"]:
                    info = tarfile.TarInfo(member["name"])
                    info.mtime = 1700000000
                    info.mode = member.get("mode", 0o644)
                    info.type = types[member.get("type", "file")]
                    info.linkname = member.get("link", "")
                    if info.type == tarfile.REGTYPE:
                        data = content(member)
                        info.size = len(data)
                        if spec.get("paxsize"):
                            info.pax_headers = {"size": str(len(data))}
                        tar.addfile(info, io.BytesIO(data))
                    else:
                        tar.addfile(info)
            data = bytearray(raw.getvalue())
            if spec.get("base256") or spec.get("v7") or spec.get("paxsize"):
                rewrite_headers(data)
            compression = spec.get("compression", "none")
            if compression == "gz":
                data = gzip.compress(bytes(data), mtime=0)
            elif compression == "xz":
                data = lzma.compress(bytes(data), format=lzma.FORMAT_XZ)
            open(spec["out"], "wb").write(data)

        def zip64ify(raw):
            end = len(raw) - 22
            _, _, _, _, count, size, offset, _ = struct.unpack("<IHHHHIIH", raw[end:])
            directory, position, rewritten = raw[offset:offset + size], 0, b""
            for _ in range(count):
                fixed = list(struct.unpack("<IHHHHHHIIIHHHHHII", directory[position:position + 46]))
                name_length, extra_length, comment_length = fixed[10], fixed[11], fixed[12]
                tail = directory[position + 46:position + 46 + name_length + extra_length + comment_length]
                name, rest = tail[:name_length], tail[name_length:]
                zip64 = struct.pack("<HHQQQ", 1, 24, fixed[9], fixed[8], fixed[16])
                fixed[8] = fixed[9] = fixed[16] = 0xFFFFFFFF
                fixed[11] = extra_length + len(zip64)
                rewritten += struct.pack("<IHHHHHHIIIHHHHHII", *fixed) + name + rest[:extra_length] + zip64 + rest[extra_length:]
                position += 46 + name_length + extra_length + comment_length
            body = raw[:offset] + rewritten
            record = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, len(rewritten), offset)
            locator = struct.pack("<IIQI", 0x07064B50, 0, len(body), 1)
            end_record = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
            return body + record + locator + end_record

        def make_zip():
            methods = {"stored": zipfile.ZIP_STORED, "deflated": zipfile.ZIP_DEFLATED, "bzip2": zipfile.ZIP_BZIP2}
            raw = io.BytesIO()
            with zipfile.ZipFile(raw, "w") as archive:
                for member in spec["members"]:
                    kind = member.get("type", "file")
                    name = member["name"] + ("/" if kind == "dir" and not member["name"].endswith("/") else "")
                    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                    info.create_system = 3
                    info.compress_type = methods[member.get("method", "deflated")]
                    mode = member.get("mode", 0o755 if kind == "dir" else 0o644)
                    if kind == "dir":
                        info.external_attr = (0o040000 | mode) << 16 | 0x10
                        data = b""
                    elif kind == "symlink":
                        info.external_attr = (0o120000 | 0o777) << 16
                        data = member["link"].encode()
                    elif kind == "fifo":
                        info.external_attr = (0o010000 | mode) << 16
                        data = b""
                    else:
                        info.external_attr = (0o100000 | mode) << 16
                        data = content(member)
                    archive.writestr(info, data)
            data = raw.getvalue()
            if spec.get("zip64"):
                data = zip64ify(data)
            if spec.get("encrypt"):
                data = bytearray(data)
                position = 0
                while (position := data.find(b"PK\x03\x04", position)) >= 0:
                    data[position + 6] |= 1
                    position += 4
                position = 0
                while (position := data.find(b"PK\x01\x02", position)) >= 0:
                    data[position + 8] |= 1
                    position += 4
                data = bytes(data)
            open(spec["out"], "wb").write(data)

        make_tar() if spec.get("kind", "tar") == "tar" else make_zip()
        """#

    /// Extracts argv[2] into the new directory argv[3] the reference way: tarfile's extractall
    /// (argv[1] == "tar"), or zipfile's extractall followed by the Unix modes and symlinks of
    /// the external attributes, which zipfile ignores (argv[1] == "zip").
    static let extract = #"""
        import os, stat, sys, tarfile, zipfile

        kind, archive, destination = sys.argv[1:4]
        os.mkdir(destination)
        if kind == "tar":
            with tarfile.open(archive) as tar:
                tar.extractall(destination, filter="fully_trusted")
        else:
            with zipfile.ZipFile(archive) as z:
                z.extractall(destination)
                for info in z.infolist():
                    mode = info.external_attr >> 16
                    path = os.path.join(destination, info.filename)
                    if stat.S_ISLNK(mode):
                        target = open(path, "rb").read()
                        os.remove(path)
                        os.symlink(target, path)
                    elif stat.S_ISREG(mode):
                        os.chmod(path, 0o755 if mode & 0o111 else 0o644)
        """#
}
