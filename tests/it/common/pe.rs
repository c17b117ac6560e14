//! A minimal valid Windows PE file, generated in code: DOS header, PE headers (PE32 or PE32+),
//! one `.text` section holding `ret`. osslsigncode signs it like any EXE; `hand_signed` (in the common
//! module) signs it by hand, without osslsigncode.

/// What a [`minimal_pe_of`] image is: a program, a library or a kernel-mode driver.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Image {
    /// An `.exe` (console subsystem).
    Program,
    /// A `.dll`: the COFF header's IMAGE_FILE_DLL flag.
    Library,
    /// A `.sys` driver: the native subsystem.
    Driver,
}

/// The unsigned image; `bits64` picks PE32+ (x64) or PE32 (x86).
pub fn minimal_pe(bits64: bool) -> Vec<u8> {
    minimal_pe_of(bits64, Image::Program)
}

/// The unsigned image of a program, library or driver; `bits64` picks PE32+ or PE32.
pub fn minimal_pe_of(bits64: bool, image: Image) -> Vec<u8> {
    pe_with_code(bits64, image, 0x200)
}

/// A [`minimal_pe`] program whose `.text` section is `code_size` bytes on disk (rounded up to
/// the 0x200 file alignment): `ret`, then zeros the loader does not map (the section's
/// VirtualSize stays 0x10). The benchmark signs a large one.
pub fn minimal_pe_sized(bits64: bool, code_size: usize) -> Vec<u8> {
    pe_with_code(
        bits64,
        Image::Program,
        code_size.div_ceil(0x200).max(1) * 0x200,
    )
}

fn pe_with_code(bits64: bool, image: Image, code_size: usize) -> Vec<u8> {
    let code = u32::try_from(code_size).expect("a code section under 4 GiB");
    let mut f = vec![0u8; 0x200 + code_size];
    // DOS header: "MZ", e_lfanew = 0x40.
    f[0..2].copy_from_slice(b"MZ");
    f[0x3c..0x40].copy_from_slice(&0x40u32.to_le_bytes());
    // PE signature and COFF header.
    let pe = 0x40;
    f[pe..pe + 4].copy_from_slice(b"PE\0\0");
    let coff = pe + 4;
    let optional_size: u16 = if bits64 { 240 } else { 224 };
    let machine: u16 = if bits64 { 0x8664 } else { 0x014c };
    f[coff..coff + 2].copy_from_slice(&machine.to_le_bytes());
    f[coff + 2..coff + 4].copy_from_slice(&1u16.to_le_bytes()); // sections
    f[coff + 16..coff + 18].copy_from_slice(&optional_size.to_le_bytes());
    let characteristics: u16 =
        if bits64 { 0x0022 } else { 0x0102 } | if image == Image::Library { 0x2000 } else { 0 };
    f[coff + 18..coff + 20].copy_from_slice(&characteristics.to_le_bytes());
    // Optional header.
    let o = coff + 20;
    let put16 =
        |f: &mut Vec<u8>, at: usize, v: u16| f[at..at + 2].copy_from_slice(&v.to_le_bytes());
    let put32 =
        |f: &mut Vec<u8>, at: usize, v: u32| f[at..at + 4].copy_from_slice(&v.to_le_bytes());
    put16(&mut f, o, if bits64 { 0x20b } else { 0x10b });
    f[o + 2] = 14; // linker version
    put32(&mut f, o + 4, code); // SizeOfCode
    put32(&mut f, o + 16, 0x1000); // AddressOfEntryPoint
    put32(&mut f, o + 20, 0x1000); // BaseOfCode
    let (image_base_at, rest) = if bits64 {
        f[o + 24..o + 32].copy_from_slice(&0x1_4000_0000u64.to_le_bytes());
        (o + 24, o + 32)
    } else {
        put32(&mut f, o + 24, 0x2000); // BaseOfData
        put32(&mut f, o + 28, 0x40_0000);
        (o + 28, o + 32)
    };
    let _ = image_base_at;
    put32(&mut f, rest, 0x1000); // SectionAlignment
    put32(&mut f, rest + 4, 0x200); // FileAlignment
    put16(&mut f, rest + 8, 6); // OS version
    put16(&mut f, rest + 16, 6); // subsystem version
    put32(&mut f, rest + 24, 0x2000); // SizeOfImage (from the section's VirtualSize)
    put32(&mut f, rest + 28, 0x200); // SizeOfHeaders
    // Subsystem: native for a driver, else console.
    put16(
        &mut f,
        rest + 36,
        if image == Image::Driver { 1 } else { 3 },
    );
    put16(&mut f, rest + 38, 0x8160); // DllCharacteristics
    let sizes = rest + 40;
    let after_sizes = if bits64 {
        for (i, v) in [0x10_0000u64, 0x1000, 0x10_0000, 0x1000].iter().enumerate() {
            f[sizes + 8 * i..sizes + 8 * i + 8].copy_from_slice(&v.to_le_bytes());
        }
        sizes + 32
    } else {
        for (i, v) in [0x10_0000u32, 0x1000, 0x10_0000, 0x1000].iter().enumerate() {
            put32(&mut f, sizes + 4 * i, *v);
        }
        sizes + 16
    };
    put32(&mut f, after_sizes + 4, 16); // NumberOfRvaAndSizes (after LoaderFlags)
    // Section header right after the optional header.
    let s = o + optional_size as usize;
    f[s..s + 5].copy_from_slice(b".text");
    put32(&mut f, s + 8, 0x10); // VirtualSize
    put32(&mut f, s + 12, 0x1000); // VirtualAddress
    put32(&mut f, s + 16, code); // SizeOfRawData
    put32(&mut f, s + 20, 0x200); // PointerToRawData
    put32(&mut f, s + 36, 0x6000_0020); // code, execute, read
    // The code: ret.
    f[0x200] = 0xc3;
    f
}

/// The offset of data directory 4 (the certificate table) in a [`minimal_pe`].
pub fn security_directory(bits64: bool) -> usize {
    0x40 + 4 + 20 + if bits64 { 112 } else { 96 } + 4 * 8
}

/// A [`minimal_pe`] (PE32) with a certificate table of these PKCS#7 entries appended, each a
/// `WIN_CERTIFICATE` padded to 8 bytes, as signing tools write it.
pub fn with_certificate_table(entries: &[Vec<u8>]) -> Vec<u8> {
    let mut table = Vec::new();
    for content in entries {
        table.extend_from_slice(&((content.len() + 8) as u32).to_le_bytes());
        table.extend_from_slice(&0x0200u16.to_le_bytes());
        table.extend_from_slice(&2u16.to_le_bytes());
        table.extend_from_slice(content);
        while table.len() % 8 != 0 {
            table.push(0);
        }
    }
    let mut f = minimal_pe(false);
    let dir = security_directory(false);
    let start = f.len() as u32;
    f[dir..dir + 4].copy_from_slice(&start.to_le_bytes());
    f[dir + 4..dir + 8].copy_from_slice(&(table.len() as u32).to_le_bytes());
    f.extend(table);
    f
}
