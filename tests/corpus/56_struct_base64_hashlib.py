"""Binary helpers: struct packing, base64 encodings, hashlib digests, hmac, crc32."""
import base64
import binascii
import hashlib
import hmac
import struct


def main():
    text = "The quick brown fox jumps over the lazy dog"
    data = text.encode("utf-8")
    print("sha256:", hashlib.sha256(data).hexdigest())
    print("sha1:  ", hashlib.sha1(data).hexdigest())
    print("md5:   ", hashlib.md5(data).hexdigest())
    print("sha512 prefix:", hashlib.sha512(b"").hexdigest()[:32])
    h = hashlib.sha256()
    for chunk in (b"The quick ", b"brown fox ", b"jumps over the lazy dog"):
        h.update(chunk)
    print("incremental matches:", h.hexdigest() == hashlib.sha256(data).hexdigest())
    print("digest size:", h.digest_size, "block size:", h.block_size, "name:", h.name)
    print("hmac-sha256:", hmac.new(b"secret-key", data, hashlib.sha256).hexdigest())
    print("compare_digest:", hmac.compare_digest("abc", "abc"))
    print("b64:", base64.b64encode(data[:20]).decode())
    print("b64 round trip:", base64.b64decode(base64.b64encode(data)) == data)
    print("urlsafe:", base64.urlsafe_b64encode(bytes([251, 255, 190, 0])).decode())
    print("b32:", base64.b32encode(b"hello").decode(), "b16:", base64.b16encode(b"hi!").decode())
    print("hexlify:", binascii.hexlify(b"\x00\x10\xff").decode(), "bytes.hex:", b"AZ".hex(), bytes.fromhex("4142"))
    print("crc32:", binascii.crc32(data), hex(binascii.crc32(b"hello")))
    packed = struct.pack("<HIq?", 513, 4_000_000_000, -2, True)
    print("packed LE:", packed.hex(), "size:", struct.calcsize("<HIq?"))
    print("unpacked:", struct.unpack("<HIq?", packed))
    print("big-endian int:", struct.pack(">I", 0x01020304).hex(), "network short:", struct.pack("!h", -2).hex())
    print("float/double:", struct.pack("<f", 1.5).hex(), struct.pack(">d", -0.1).hex())
    print("unpack float:", struct.unpack("<f", struct.pack("<f", 0.1))[0])
    header = struct.pack("<4sBBH", b"RIFF", 1, 2, 4096)
    magic, major, minor, size = struct.unpack("<4sBBH", header)
    print("header:", magic, major, minor, size)
    print("iter_unpack:", [t[0] for t in struct.iter_unpack("<h", struct.pack("<3h", 1, -1, 300))])
    print("int.to_bytes:", (1024).to_bytes(4, "big").hex(), int.from_bytes(b"\x01\x00", "little"))


if __name__ == "__main__":
    main()
