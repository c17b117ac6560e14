/* hold.exe PATH MILLISECONDS READY: opens PATH (a file or a folder) as Explorer, an editor or an
 * antivirus scan does (others may read and write it, not delete or rename it), creates the file
 * READY to say so, holds PATH for MILLISECONDS, then exits. For tests under Wine only: it stands
 * for "the bundle is open in another program". Exit 3: PATH could not be opened. */
#include <windows.h>
#include <stdlib.h>

int wmain(int argc, wchar_t **argv)
{
    if (argc != 4) {
        return 2;
    }
    HANDLE held = CreateFileW(argv[1], GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                              OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
    if (held == INVALID_HANDLE_VALUE) {
        return 3;
    }
    HANDLE ready = CreateFileW(argv[3], GENERIC_WRITE, 0, NULL, CREATE_NEW, 0, NULL);
    if (ready != INVALID_HANDLE_VALUE) {
        CloseHandle(ready);
    }
    Sleep((DWORD)_wtoi(argv[2]));
    CloseHandle(held);
    return 0;
}
