/* Test doubles for the Windows tools the generated .cmd files call, run under Wine.
 *
 * Wine's certutil, icacls and powershell are stubs and its findstr /r matches nothing, so
 * tests/common/wine.rs puts this one program into the test prefix under each tool's name
 * (certutil.exe, findstr.exe, icacls.exe, whoami.exe, fsutil.exe, net.exe, reg.exe and
 * WindowsPowerShell\v1.0\powershell.exe); it acts as the tool it is named after.
 *
 * Every call is appended to the log file named by CB_LOG, one line per call: the tool, the
 * current folder, then each argument as the program received it, then what the double adds (a
 * hash, "found", ...), separated by tabs (UTF-8). Behaviour is chosen by environment variables
 * (CB_*), listed at each tool below.
 *
 * Each double does what Microsoft's documentation says the real tool does for the calls the
 * scripts make, and refuses (like the real tool, with its exit code) the mistakes a script could
 * make with them. Where it is simpler than the real tool:
 * - certutil: stores are folders of DER files named by thumbprint (CB_STORES\Machine|User\
 *   <store>\<THUMBPRINT>); -addstore checks only that the file starts like DER and that the
 *   caller is an administrator (CB_ELEVATED=1); the localized header and footer of -hashfile are
 *   the English ones; -dspublish publishes nowhere (it logs and answers). No other verb works.
 * - findstr: only /r /x /c:"[<characters>]*" FILE (the one call the scripts make); no ranges.
 * - icacls: checks the call's shape (an existing folder, /inheritance:r, /grant:r and grants of
 *   the form *SID:(OI)(CI)F) but changes nothing: Wine does not enforce access control lists.
 * - whoami: only /user /fo csv /nh (and /user alone); the account is CBTEST\admin.
 * - fsutil and net: succeed exactly when CB_ELEVATED=1, whatever the arguments.
 * - reg: logs and succeeds (the tests check its arguments), or fails when CB_REG_FAIL=1.
 * - powershell: answers the launcher's probe with CB_PS_PROBE; answers Install.cmd -Startup's
 *   store check from the doubles' stores (it reads only the list of thumbprints in the command
 *   text, not the code around it); for -File it runs nothing, but refuses a script that is not
 *   there, as powershell.exe does.
 *
 * Build: x86_64-w64-mingw32-gcc -municode -O2 -o double.exe double.c -ladvapi32
 */
#include <windows.h>
#include <wincrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static const wchar_t *env(const wchar_t *name) {
    const wchar_t *v = _wgetenv(name);
    return (v && *v) ? v : NULL;
}

static int env_int(const wchar_t *name, int fallback) {
    const wchar_t *v = env(name);
    return v ? _wtoi(v) : fallback;
}

static void write_utf8(FILE *f, const wchar_t *text) {
    char buf[8192];
    int n = WideCharToMultiByte(CP_UTF8, 0, text, -1, buf, sizeof buf, NULL, NULL);
    if (n > 1) fwrite(buf, 1, (size_t)(n - 1), f);
}

/* One line in CB_LOG: tool, current folder, arguments, then extra (may be NULL). */
static void log_call(const wchar_t *tool, int argc, wchar_t **argv, const wchar_t *extra) {
    const wchar_t *path = env(L"CB_LOG");
    if (!path) return;
    FILE *f = _wfopen(path, L"ab");
    if (!f) return;
    wchar_t cwd[MAX_PATH * 2] = L"";
    GetCurrentDirectoryW(MAX_PATH * 2, cwd);
    write_utf8(f, tool);
    fputc('\t', f);
    write_utf8(f, cwd);
    for (int i = 1; i < argc; i++) {
        fputc('\t', f);
        write_utf8(f, argv[i]);
    }
    if (extra) {
        fputc('\t', f);
        write_utf8(f, extra);
    }
    fputc('\n', f);
    fclose(f);
}

static unsigned char *read_all(const wchar_t *path, DWORD *len) {
    HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) return NULL;
    DWORD size = GetFileSize(h, NULL);
    unsigned char *buf = malloc(size ? size : 1);
    DWORD got = 0;
    if (!buf || !ReadFile(h, buf, size, &got, NULL) || got != size) {
        CloseHandle(h);
        free(buf);
        return NULL;
    }
    CloseHandle(h);
    *len = size;
    return buf;
}

/* Lower-case hex (as certutil prints it) of the SHA-256 (CALG_SHA_256) or SHA-1 of bytes,
 * through CryptoAPI; optionally in pairs separated by spaces. 0 when CryptoAPI failed. */
static int hash_hex(ALG_ID alg, const unsigned char *data, DWORD len, wchar_t *out, int spaced) {
    HCRYPTPROV prov;
    HCRYPTHASH hash;
    unsigned char digest[32];
    DWORD dlen = sizeof digest;
    out[0] = 0;
    if (!CryptAcquireContextW(&prov, NULL, NULL, PROV_RSA_AES, CRYPT_VERIFYCONTEXT)) return 0;
    int ok = CryptCreateHash(prov, alg, 0, 0, &hash) && CryptHashData(hash, data, len, 0) &&
             CryptGetHashParam(hash, HP_HASHVAL, digest, &dlen, 0);
    if (ok) {
        wchar_t *p = out;
        for (DWORD i = 0; i < dlen; i++) {
            if (spaced && i) *p++ = L' ';
            p += swprintf(p, 3, L"%02x", digest[i]);
        }
        *p = 0;
        CryptDestroyHash(hash);
    }
    CryptReleaseContext(prov, 0);
    return ok;
}

static int file_sha256(const wchar_t *path, wchar_t *out) {
    DWORD len = 0;
    unsigned char *data = read_all(path, &len);
    if (!data) return 0;
    int ok = hash_hex(CALG_SHA_256, data, len, out, 0);
    free(data);
    return ok;
}

/* ------------------------------------------------------------------------------------------
 * certutil: -hashfile FILE SHA256, [-user] -store STORE THUMBPRINT, [-f] -addstore STORE FILE,
 * [-f] -dspublish FILE KIND.
 * The hash is printed in lower case (Windows 10); CB_CERTUTIL_SPACED=1 prints it in pairs
 * separated by spaces (Windows 7). CB_CERTUTIL_SHORT=1 prints one digit too few (garbled
 * output); CB_CERTUTIL_HASH_EXIT=N prints the right hash but exits with N (a failure).
 * CB_SWAP_FROM / CB_SWAP_TO: right after each -hashfile (or only the CB_SWAP_AFTER-th of the
 * run, counted in CB_LOG), FROM is copied over TO: a medium that returns other bytes the second
 * time it is read.
 * CB_ADDSTORE_FAIL=1: -addstore fails with E_ACCESSDENIED.
 * [-f] -dspublish FILE KIND: logged with the SHA-256 of FILE as it is at that moment; refuses a
 * missing file, one that does not start like DER and a KIND certutil does not know (NTAuthCA,
 * RootCA, SubCA, CrossCA, KRA, User, Machine); fails with ERROR_DS_INSUFF_ACCESS_RIGHTS unless
 * CB_ELEVATED=1 (UAC leaves Enterprise Admins out of a token that is not elevated), and for a
 * FILE whose path ends in CB_DSPUBLISH_FAIL (case-insensitive). Prints the object it "wrote"
 * (named by the SHA-1 in place of the CA's name) and changes nothing. */

#define CRYPT_E_NOT_FOUND_CODE (-2146885628)
#define E_ACCESSDENIED_CODE (-2147024891)
#define FILE_NOT_FOUND_CODE (-2147024894)

/* The certificate file a -addstore or -dspublish call names: read, logged with its SHA-256 (or
 * "missing"), and refused as certutil refuses it (missing, not DER) with its message for `verb`.
 * Returns the bytes and their SHA-1 in sha1 (100 characters), or NULL with *code set. */
static unsigned char *read_certificate(const wchar_t *verb, const wchar_t *file, int argc, wchar_t **argv,
                                       DWORD *len, wchar_t *sha1, int *code) {
    wchar_t sha256[100] = L"", extra[300];
    unsigned char *data = read_all(file, len);
    if (data && (!hash_hex(CALG_SHA1, data, *len, sha1, 0) || !hash_hex(CALG_SHA_256, data, *len, sha256, 0))) {
        free(data);
        data = NULL;
    }
    swprintf(extra, 300, L"sha256=%ls", data ? sha256 : L"missing");
    log_call(L"certutil", argc, argv, extra);
    if (!data) {
        wprintf(L"CertUtil: %ls command FAILED: 0x80070002 (WIN32: 2 ERROR_FILE_NOT_FOUND)\n", verb);
        *code = FILE_NOT_FOUND_CODE;
        return NULL;
    }
    if (*len < 2 || data[0] != 0x30) {
        free(data);
        wprintf(L"CertUtil: %ls command FAILED: 0x8009310b (ASN: 267 CRYPT_E_ASN1_BADTAG)\n", verb);
        *code = -2146881269;
        return NULL;
    }
    return data;
}
#define E_INVALIDARG_CODE (-2147024809)
#define DS_INSUFF_ACCESS_RIGHTS_CODE (-2147016552)

/* How many -hashfile calls CB_LOG holds (this one included). */
static int hashes_logged(void) {
    const wchar_t *path = env(L"CB_LOG");
    DWORD len = 0;
    unsigned char *data = path ? read_all(path, &len) : NULL;
    int n = 0;
    for (DWORD k = 0; data && k + 11 <= len; k++) {
        if (!memcmp(data + k, "\t-hashfile\t", 11)) n++;
    }
    free(data);
    return n;
}

static void store_path(wchar_t *out, size_t n, int user, const wchar_t *store, const wchar_t *thumb) {
    const wchar_t *root = env(L"CB_STORES");
    swprintf(out, n, L"%ls\\%ls\\%ls%ls%ls", root ? root : L"C:\\cbstores", user ? L"User" : L"Machine",
             store, thumb ? L"\\" : L"", thumb ? thumb : L"");
}

static void make_dirs(const wchar_t *dir) {
    wchar_t partial[MAX_PATH * 2];
    for (size_t k = 3; dir[k] && k < MAX_PATH * 2 - 1; k++) {
        if (dir[k] == L'\\') {
            wcsncpy(partial, dir, k);
            partial[k] = 0;
            CreateDirectoryW(partial, NULL);
        }
    }
    CreateDirectoryW(dir, NULL);
}

static int certutil(int argc, wchar_t **argv) {
    int user = 0, i = 1;
    for (; i < argc && argv[i][0] == L'-'; i++) {
        if (!_wcsicmp(argv[i], L"-user")) user = 1;
        else if (!_wcsicmp(argv[i], L"-f")) continue;
        else break;
    }
    if (i >= argc) {
        log_call(L"certutil", argc, argv, NULL);
        return 1;
    }
    const wchar_t *verb = argv[i];
    if (!_wcsicmp(verb, L"-hashfile") && i + 2 < argc) {
        const wchar_t *file = argv[i + 1];
        if (wcscmp(argv[i + 2], L"SHA256")) {
            log_call(L"certutil", argc, argv, L"unsupported algorithm");
            wprintf(L"CertUtil: -hashfile command FAILED: 0x80090008 (-2146893816 NTE_BAD_ALGID)\n");
            return -2146893816;
        }
        DWORD len = 0;
        unsigned char *data = read_all(file, &len);
        if (!data) {
            log_call(L"certutil", argc, argv, L"missing");
            wprintf(L"CertUtil: -hashfile command FAILED: 0x80070002 (WIN32: 2 ERROR_FILE_NOT_FOUND)\n");
            return FILE_NOT_FOUND_CODE;
        }
        wchar_t hex[100];
        int ok = hash_hex(CALG_SHA_256, data, len, hex, env_int(L"CB_CERTUTIL_SPACED", 0));
        free(data);
        if (!ok) {
            log_call(L"certutil", argc, argv, L"CryptoAPI failed");
            wprintf(L"CertUtil: -hashfile command FAILED: 0x80090020 (-2146893792 NTE_FAIL)\n");
            return -2146893792;
        }
        log_call(L"certutil", argc, argv, hex);
        if (env_int(L"CB_CERTUTIL_SHORT", 0)) hex[wcslen(hex) - 1] = 0;
        wprintf(L"SHA256 hash of %ls:\n%ls\nCertUtil: -hashfile command completed successfully.\n", file, hex);
        fflush(stdout);
        const wchar_t *from = env(L"CB_SWAP_FROM"), *to = env(L"CB_SWAP_TO");
        int after = env_int(L"CB_SWAP_AFTER", 0);
        if (from && to && (!after || hashes_logged() == after)) CopyFileW(from, to, FALSE);
        return env_int(L"CB_CERTUTIL_HASH_EXIT", 0);
    }
    if (!_wcsicmp(verb, L"-store") && i + 2 < argc) {
        wchar_t path[MAX_PATH * 2];
        store_path(path, MAX_PATH * 2, user, argv[i + 1], argv[i + 2]);
        int found = GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES;
        log_call(L"certutil", argc, argv, found ? L"found" : L"not found");
        if (found) return 0;
        wprintf(L"CertUtil: -store command FAILED: 0x80092004 (-2146885628 CRYPT_E_NOT_FOUND)\n");
        return CRYPT_E_NOT_FOUND_CODE;
    }
    if (!_wcsicmp(verb, L"-addstore") && i + 2 < argc) {
        /* -f may also follow the verb: certutil -addstore -f Root FILE. */
        int j = i + 1;
        if (!_wcsicmp(argv[j], L"-f")) j++;
        if (j + 1 >= argc) return 1;
        DWORD len = 0;
        wchar_t sha1[100] = L"";
        int code = 0;
        unsigned char *data = read_certificate(L"-addstore", argv[j + 1], argc, argv, &len, sha1, &code);
        if (!data) return code;
        if (env_int(L"CB_ADDSTORE_FAIL", 0) || (!user && !env_int(L"CB_ELEVATED", 0))) {
            free(data);
            wprintf(L"CertUtil: -addstore command FAILED: 0x80070005 (WIN32: 5 ERROR_ACCESS_DENIED)\n");
            return E_ACCESSDENIED_CODE;
        }
        wchar_t dir[MAX_PATH * 2], path[MAX_PATH * 2];
        store_path(dir, MAX_PATH * 2, user, argv[j], NULL);
        make_dirs(dir);
        store_path(path, MAX_PATH * 2, user, argv[j], sha1);
        HANDLE h = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
        DWORD wrote = 0;
        if (h != INVALID_HANDLE_VALUE) {
            WriteFile(h, data, len, &wrote, NULL);
            CloseHandle(h);
        }
        free(data);
        wprintf(L"Certificate \"%ls\" added to store.\nCertUtil: -addstore command completed successfully.\n", sha1);
        return 0;
    }
    if (!_wcsicmp(verb, L"-dspublish") && i + 2 < argc) {
        /* -f may also follow the verb. */
        int j = i + 1;
        if (!_wcsicmp(argv[j], L"-f")) j++;
        if (j + 1 >= argc) return 1;
        const wchar_t *file = argv[j], *kind = argv[j + 1];
        DWORD len = 0;
        wchar_t sha1[100] = L"";
        int code = 0;
        unsigned char *data = read_certificate(L"-dsPublish", file, argc, argv, &len, sha1, &code);
        if (!data) return code;
        static const wchar_t *kinds[] = {L"NTAuthCA", L"RootCA", L"SubCA", L"CrossCA", L"KRA", L"User", L"Machine"};
        int known = 0;
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) known |= !_wcsicmp(kind, kinds[k]);
        if (!known) {
            free(data);
            wprintf(L"CertUtil: -dsPublish command FAILED: 0x80070057 (WIN32: 87 ERROR_INVALID_PARAMETER)\n");
            return E_INVALIDARG_CODE;
        }
        const wchar_t *fail = env(L"CB_DSPUBLISH_FAIL");
        size_t flen = fail ? wcslen(fail) : 0, len_file = wcslen(file);
        int failing = fail && flen <= len_file && !_wcsicmp(file + len_file - flen, fail);
        if (failing || !env_int(L"CB_ELEVATED", 0)) {
            free(data);
            wprintf(L"CertUtil: -dsPublish command FAILED: 0x80072098 (WIN32: 8344 ERROR_DS_INSUFF_ACCESS_RIGHTS)\n");
            return DS_INSUFF_ACCESS_RIGHTS_CODE;
        }
        free(data);
        wprintf(L"ldap:///CN=%ls,CN=%ls,CN=Public Key Services,CN=Services,CN=Configuration,DC=cbtest,DC=example?cACertificate\n\n",
                sha1, _wcsicmp(kind, L"RootCA") ? L"AIA" : L"Certification Authorities");
        wprintf(L"Certificate added to DS store.\nCertUtil: -dsPublish command completed successfully.\n");
        return 0;
    }
    log_call(L"certutil", argc, argv, L"unsupported");
    return 1;
}

/* ------------------------------------------------------------------------------------------
 * findstr: only what the scripts use, /r /x /c:"[<characters>]*" FILE: prints each line made
 * only of the listed characters (ranges are not supported), exit code 0 when a line was
 * printed, 1 otherwise. */
static int findstr(int argc, wchar_t **argv) {
    log_call(L"findstr", argc, argv, NULL);
    int regex = 0, whole = 0;
    const wchar_t *pattern = NULL, *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (!_wcsicmp(argv[i], L"/r")) regex = 1;
        else if (!_wcsicmp(argv[i], L"/x")) whole = 1;
        else if (!_wcsnicmp(argv[i], L"/c:", 3)) pattern = argv[i] + 3;
        else file = argv[i];
    }
    size_t plen = pattern ? wcslen(pattern) : 0;
    if (!regex || !whole || !file || plen < 3 || plen > 100 || pattern[0] != L'[' || wcscmp(pattern + plen - 2, L"]*")) {
        fwprintf(stderr, L"findstr double: unsupported call\n");
        return 2;
    }
    wchar_t set[128];
    wcsncpy(set, pattern + 1, plen - 3);
    set[plen - 3] = 0;
    DWORD len = 0;
    unsigned char *data = read_all(file, &len);
    if (!data) {
        fwprintf(stderr, L"FINDSTR: Cannot open %ls\n", file);
        return 1;
    }
    int printed = 0;
    DWORD start = 0;
    for (DWORD k = 0; k <= len; k++) {
        if (k == len || data[k] == '\n') {
            DWORD end = k;
            if (end > start && data[end - 1] == '\r') end--;
            int match = 1;
            for (DWORD c = start; c < end; c++) {
                if (data[c] >= 128 || data[c] == 0 || !wcschr(set, (wchar_t)data[c])) {
                    match = 0;
                    break;
                }
            }
            if (match && !(k == len && start == len)) {
                fwrite(data + start, 1, end - start, stdout);
                fputs("\n", stdout);
                printed = 1;
            }
            start = k + 1;
        }
    }
    free(data);
    return printed ? 0 : 1;
}

/* ------------------------------------------------------------------------------------------
 * icacls FOLDER /inheritance:r /grant:r *SID:(OI)(CI)F ... and icacls FOLDER /setowner *SID:
 * checks that shape (exit 87, "Invalid parameter", otherwise; 2 for a folder that is not there)
 * and logs it. CB_ICACLS_EXIT is the
 * exit code of a well-formed call (default 0). CB_ICACLS_PLANT=NAME creates the file or folder
 * NAME (a folder when NAME ends in \) in the folder first: someone who got in before the access
 * was restricted. */
static int icacls(int argc, wchar_t **argv) {
    log_call(L"icacls", argc, argv, NULL);
    DWORD attrs = argc > 1 ? GetFileAttributesW(argv[1]) : INVALID_FILE_ATTRIBUTES;
    if (attrs == INVALID_FILE_ATTRIBUTES || !(attrs & FILE_ATTRIBUTE_DIRECTORY)) {
        wprintf(L"%ls: The system cannot find the file specified.\nSuccessfully processed 0 files; Failed processing 1 files\n", argc > 1 ? argv[1] : L"");
        return 2;
    }
    int owner = argc == 4 && !wcscmp(argv[2], L"/setowner") && !wcsncmp(argv[3], L"*S-1-", 5);
    int shape = owner || (argc >= 5 && !wcscmp(argv[2], L"/inheritance:r") && !wcscmp(argv[3], L"/grant:r"));
    for (int i = 4; shape && !owner && i < argc; i++) {
        size_t n = wcslen(argv[i]);
        shape = n > 16 && !wcsncmp(argv[i], L"*S-1-", 5) && !wcscmp(argv[i] + n - 10, L":(OI)(CI)F");
    }
    if (!shape) {
        wprintf(L"Invalid parameter \"%ls\"\n", argc > 2 ? argv[2] : L"");
        return 87;
    }
    const wchar_t *plant = env(L"CB_ICACLS_PLANT");
    if (plant && !owner) {
        wchar_t path[MAX_PATH * 2];
        swprintf(path, MAX_PATH * 2, L"%ls\\%ls", argv[1], plant);
        size_t n = wcslen(path);
        if (path[n - 1] == L'\\') {
            path[n - 1] = 0;
            CreateDirectoryW(path, NULL);
        } else {
            FILE *f = _wfopen(path, L"wb");
            if (f) {
                fputs("0\r\n", f);
                fclose(f);
            }
        }
    }
    int rc = env_int(L"CB_ICACLS_EXIT", 0);
    if (rc == 0) wprintf(L"processed file: %ls\nSuccessfully processed 1 files; Failed processing 0 files\n", argv[1]);
    else wprintf(L"%ls: Access is denied.\nSuccessfully processed 0 files; Failed processing 1 files\n", argv[1]);
    return rc;
}

/* whoami /user [/fo csv] [/nh]: the account and its SID (CB_WHOAMI_SID, default a user SID);
 * any other option is refused, as whoami does. */
static int whoami(int argc, wchar_t **argv) {
    log_call(L"whoami", argc, argv, NULL);
    const wchar_t *sid = env(L"CB_WHOAMI_SID");
    if (!sid) sid = L"S-1-5-21-1004336348-1177238915-682003330-1001";
    int user = 0, csv = 0, header = 1;
    for (int i = 1; i < argc; i++) {
        if (!_wcsicmp(argv[i], L"/user")) user = 1;
        else if (!_wcsicmp(argv[i], L"/fo") && i + 1 < argc && !_wcsicmp(argv[i + 1], L"csv")) csv = 1, i++;
        else if (!_wcsicmp(argv[i], L"/nh")) header = 0;
        else {
            fwprintf(stderr, L"ERROR: Invalid argument/option - '%ls'.\n", argv[i]);
            return 1;
        }
    }
    if (!user) {
        wprintf(L"cbtest\\admin\n");
        return 0;
    }
    if (csv) {
        if (header) wprintf(L"\"User Name\",\"SID\"\n");
        wprintf(L"\"cbtest\\admin\",\"%ls\"\n", sid);
    } else {
        if (header) wprintf(L"\nUSER INFORMATION\n----------------\n\nUser Name    SID\n============ ====\n");
        wprintf(L"cbtest\\admin %ls\n", sid);
    }
    return 0;
}

/* fsutil dirty query, net session: succeed only when CB_ELEVATED=1 (as with administrator
 * rights). */
static int elevation_probe(const wchar_t *tool, int argc, wchar_t **argv) {
    log_call(tool, argc, argv, NULL);
    return env_int(L"CB_ELEVATED", 0) ? 0 : 1;
}

/* reg add ...: logged, succeeds; CB_REG_FAIL=1: fails with ERROR: Access is denied.
 * reg query HKU\S-1-5-18\...\<STORE>\Certificates\<THUMBPRINT>: found when the stores of the
 * doubles hold CB_STORES\System\<STORE>\<THUMBPRINT> (SYSTEM's own stores); no other query. */
static int reg(int argc, wchar_t **argv) {
    if (argc >= 3 && !_wcsicmp(argv[1], L"query")) {
        const wchar_t *key = argv[2];
        const wchar_t *prefix = L"HKU\\S-1-5-18\\Software\\Microsoft\\SystemCertificates\\";
        size_t n = wcslen(prefix);
        const wchar_t *thumb = wcsrchr(key, L'\\');
        const wchar_t *mid = thumb ? wcsstr(key, L"\\Certificates\\") : NULL;
        if (_wcsnicmp(key, prefix, n) || !thumb || !mid || mid < key + n) {
            log_call(L"reg", argc, argv, L"unsupported query");
            return 1;
        }
        wchar_t store[100] = L"", path[MAX_PATH * 2];
        size_t len = (size_t)(mid - (key + n));
        if (len >= 100) return 1;
        wcsncpy(store, key + n, len);
        store[len] = 0;
        const wchar_t *root = env(L"CB_STORES");
        swprintf(path, MAX_PATH * 2, L"%ls\\System\\%ls\\%ls", root ? root : L"C:\\cbstores", store, thumb + 1);
        int found = GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES;
        log_call(L"reg", argc, argv, found ? L"found" : L"not found");
        if (found) return 0;
        fwprintf(stderr, L"ERROR: The system was unable to find the specified registry key or value.\n");
        return 1;
    }
    log_call(L"reg", argc, argv, NULL);
    if (env_int(L"CB_REG_FAIL", 0)) {
        fwprintf(stderr, L"ERROR: Access is denied.\n");
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Install.cmd -Startup's check: the command text lists the bundle's certificates as
 * foreach ($e in 'R<THUMBPRINT>,C<THUMBPRINT>,...'. Exit 42 ("already compliant") when every R is
 * in CB_STORES\Machine\Root or \AuthRoot (\Root alone when CB_ONLY_ENTERPRISE_ROOTS is 1: Group
 * Policy trusts only enterprise roots, ProtectedRoots Flags 0x8, and AuthRoot is left out), every
 * C in \Machine\CA, none in \Machine\Disallowed or \System\Disallowed (SYSTEM's own); otherwise
 * 1, as the real command does. A list that is not of
 * that form is refused (exit 1). CB_PS_PROBE=none: PowerShell does not start (exit 1);
 * CB_PS_COMMAND_EXIT=N: the check runs but PowerShell exits with N (PowerShell 2.0 without
 * KB2552055 returns 0 whatever the script's exit code). The log names the verdict. */
static int store_has(const wchar_t *location, const wchar_t *store, const wchar_t *thumb) {
    const wchar_t *root = env(L"CB_STORES");
    wchar_t path[MAX_PATH * 2];
    swprintf(path, MAX_PATH * 2, L"%ls\\%ls\\%ls\\%ls", root ? root : L"C:\\cbstores", location, store, thumb);
    return GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES;
}

static int startup_check(int argc, wchar_t **argv, const wchar_t *list) {
    const wchar_t *probe = env(L"CB_PS_PROBE");
    if (probe && !wcscmp(probe, L"none")) {
        log_call(L"powershell", argc, argv, L"not started");
        return 1;
    }
    wchar_t verdict[200] = L"compliant";
    int authroot = !env_int(L"CB_ONLY_ENTERPRISE_ROOTS", 0);
    int entries = 0;
    const wchar_t *p = list;
    while (*p != L'\'') {
        wchar_t kind = *p++, thumb[41];
        int n = 0;
        while (n < 40 && iswxdigit(p[n])) {
            thumb[n] = p[n];
            n++;
        }
        thumb[n] = 0;
        p += n;
        if ((kind != L'R' && kind != L'C') || n != 40 || (*p != L',' && *p != L'\'')) {
            log_call(L"powershell", argc, argv, L"malformed list");
            return 1;
        }
        if (*p == L',') p++;
        entries++;
        if (wcscmp(verdict, L"compliant")) continue;
        int present = kind == L'R' ? store_has(L"Machine", L"Root", thumb) || (authroot && store_has(L"Machine", L"AuthRoot", thumb))
                                   : store_has(L"Machine", L"CA", thumb);
        if (!present) swprintf(verdict, 200, L"missing %ls", thumb);
        else if (store_has(L"Machine", L"Disallowed", thumb) || store_has(L"System", L"Disallowed", thumb))
            swprintf(verdict, 200, L"blocked %ls", thumb);
    }
    if (!entries) {
        log_call(L"powershell", argc, argv, L"malformed list");
        return 1;
    }
    log_call(L"powershell", argc, argv, verdict);
    return env_int(L"CB_PS_COMMAND_EXIT", wcscmp(verdict, L"compliant") ? 1 : 42);
}

/* ------------------------------------------------------------------------------------------
 * powershell:
 * - -Command <Install.cmd -Startup's check>: see startup_check above.
 * - -Command <probe>: prints CB_PS_PROBE (default "FullLanguage Undefined Undefined");
 *   CB_PS_PROBE=none prints nothing and exits 1 (PowerShell that does not start).
 * - -File SCRIPT ARGS: logged with the SHA-256 of SCRIPT as it is at that moment; a SCRIPT that
 *   is not there is refused (exit -196608, as powershell.exe). Otherwise writes CB_PS_STATUS
 *   (default 0) and a verdict to the file after -StatusFile, unless CB_PS_STATUS=none (a script
 *   PowerShell refused to run); exits with CB_PS_EXIT (default: the status). */
static int powershell(int argc, wchar_t **argv) {
    for (int i = 1; i < argc; i++) {
        if (!_wcsicmp(argv[i], L"-Command")) {
            static const wchar_t marker[] = L"foreach ($e in '";
            const wchar_t *list = i + 1 < argc ? wcsstr(argv[i + 1], marker) : NULL;
            if (list) return startup_check(argc, argv, list + wcslen(marker));
            log_call(L"powershell", argc, argv, NULL);
            const wchar_t *probe = env(L"CB_PS_PROBE");
            if (probe && !wcscmp(probe, L"none")) return 1;
            wprintf(L"%ls\n", probe ? probe : L"FullLanguage Undefined Undefined");
            return 0;
        }
        if (!_wcsicmp(argv[i], L"-File") && i + 1 < argc) {
            wchar_t hex[100], extra[200];
            int there = file_sha256(argv[i + 1], hex);
            swprintf(extra, 200, L"sha256=%ls", there ? hex : L"missing");
            log_call(L"powershell", argc, argv, extra);
            if (!there) {
                fwprintf(stderr, L"The argument '%ls' to the -File parameter does not exist.\n", argv[i + 1]);
                return -196608;
            }
            const wchar_t *status = env(L"CB_PS_STATUS");
            if (!status) status = L"0";
            for (int j = i + 2; j + 1 < argc; j++) {
                if (!_wcsicmp(argv[j], L"-StatusFile") && wcscmp(status, L"none")) {
                    FILE *f = _wfopen(argv[j + 1], L"wb");
                    if (f) {
                        write_utf8(f, status);
                        fputs("\r\ndouble\r\n", f);
                        fclose(f);
                    }
                }
            }
            return env_int(L"CB_PS_EXIT", wcscmp(status, L"none") ? _wtoi(status) : 1);
        }
    }
    log_call(L"powershell", argc, argv, NULL);
    return 1;
}

int wmain(int argc, wchar_t **argv) {
    wchar_t self[MAX_PATH];
    GetModuleFileNameW(NULL, self, MAX_PATH);
    wchar_t *name = wcsrchr(self, L'\\');
    name = name ? name + 1 : self;
    if (!_wcsicmp(name, L"certutil.exe")) return certutil(argc, argv);
    if (!_wcsicmp(name, L"findstr.exe")) return findstr(argc, argv);
    if (!_wcsicmp(name, L"icacls.exe")) return icacls(argc, argv);
    if (!_wcsicmp(name, L"whoami.exe")) return whoami(argc, argv);
    if (!_wcsicmp(name, L"fsutil.exe")) return elevation_probe(L"fsutil", argc, argv);
    if (!_wcsicmp(name, L"net.exe")) return elevation_probe(L"net", argc, argv);
    if (!_wcsicmp(name, L"reg.exe")) return reg(argc, argv);
    if (!_wcsicmp(name, L"powershell.exe")) return powershell(argc, argv);
    fwprintf(stderr, L"double: unknown tool %ls\n", name);
    return 99;
}
