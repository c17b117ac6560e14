/* A stand-in for Windows' bcryptprimitives.dll, for tests under Wine only (never shipped).
 *
 * Rust's standard library takes random numbers from ProcessPrng in bcryptprimitives.dll, which
 * Windows has from Windows 10 / Server 2016 on; Wine 8.0 has no such DLL, so certbundle.exe would
 * not start under it. This forwards ProcessPrng to RtlGenRandom (advapi32's SystemFunction036).
 * Built with x86_64-w64-mingw32-gcc -shared and placed beside the executable by the test. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
