#!/usr/bin/python
# Stand-in for ansible.windows.win_powershell (tests only). It runs no PowerShell. Like the real
# module it skips a script in check mode unless the script declares SupportsShouldProcess. Then it
# does what the playbook's script does: reads the installer copy once and checks its SHA-256, makes
# a new folder certbundle.<32 hex digits> in CERTBUNDLE_FAKE_SYSTEMROOT/Temp (no access lists
# here), writes those bytes into it, builds the installer's arguments, and, as the installer
# would, writes a report into -ReportDir: the report in CERTBUNDLE_FAKE_REPORT turned into this
# run's mode. Each run it would start is logged (one JSON line of arguments, from -File) into
# CERTBUNDLE_FAKE_LOG. CERTBUNDLE_FAKE_TAMPER=1 adds a byte to the copy just before it is read
# (changed after win_stat checked it); CERTBUNDLE_FAKE_EXIT_CODE=<n> makes the installer return n
# and its report say n (a forged report that matches), whatever its verdict;
# CERTBUNDLE_FAKE_MODE=<mode> puts another mode into the report.
import hashlib
import json
import os
import uuid

from ansible.module_utils.basic import AnsibleModule


def report_for(template, args, report_dir):
    with open(template) as f:
        r = json.load(f)
    check = "-CheckOnly" in args or "-WhatIf" in args
    if "-Uninstall" in args:
        r["mode"] = "uninstall"
        r["verdict"], r["exit_code"] = ("would-uninstall" if check else "uninstalled"), 0
    elif check:
        r["mode"] = "check-only"
        for c in r["certificates"]:
            if c["action"] == "installed":
                c.update(action="would-install", after="missing", chain="not-checked")
        if r["verdict"] in ("fixed", "not-compliant"):
            r["verdict"], r["exit_code"] = "not-compliant", 4
    else:
        r["mode"] = "install"
    r["report_dir"] = report_dir
    return r


def main():
    module = AnsibleModule(
        argument_spec=dict(script=dict(type="str", required=True), parameters=dict(type="dict", default={})),
        supports_check_mode=True,
    )
    script = module.params["script"]
    if module.check_mode and "SupportsShouldProcess" not in script:
        module.exit_json(changed=True, msg="skipped, running in check mode")
    p = module.params["parameters"]
    installer = p["Installer"].replace("\\", "/")
    if os.environ.get("CERTBUNDLE_FAKE_TAMPER") == "1":
        with open(installer, "ab") as f:
            f.write(b"\n")
    with open(installer, "rb") as f:
        data = f.read()
    if hashlib.sha256(data).hexdigest().upper() != p["Sha256"]:
        module.fail_json(msg="The installer copy changed: not run.", result=dict(exit_code=-1))
    work = os.path.join(os.environ["CERTBUNDLE_FAKE_SYSTEMROOT"], "Temp", "certbundle." + uuid.uuid4().hex)
    os.mkdir(work, 0o700)
    copy = os.path.join(work, "Install-Certificates.ps1")
    with open(copy, "xb") as f:
        f.write(data)
    report_dir = os.path.join(work, "reports")
    args = ["-File", copy, "-ReportDir", report_dir]
    if str(p.get("Uninstall", "false")).lower() == "true":
        args.append("-Uninstall")
        if module.check_mode:
            args.append("-WhatIf")
    elif module.check_mode:
        args.append("-CheckOnly")
    if str(p.get("SkipProductCheck", "false")).lower() == "true":
        args.append("-SkipProductCheck")
    with open(os.environ["CERTBUNDLE_FAKE_LOG"], "a") as f:
        f.write(json.dumps(args) + "\n")
    r = report_for(os.environ["CERTBUNDLE_FAKE_REPORT"], args, report_dir)
    if "CERTBUNDLE_FAKE_EXIT_CODE" in os.environ:
        r["exit_code"] = int(os.environ["CERTBUNDLE_FAKE_EXIT_CODE"])
    r["mode"] = os.environ.get("CERTBUNDLE_FAKE_MODE", r["mode"])
    folder = report_dir
    os.makedirs(folder, exist_ok=True)
    stem = "%s_%s" % (r["host"]["name"], r["finished"].replace("-", "").replace(":", ""))
    with open(os.path.join(folder, stem + ".json"), "w", newline="\n") as f:
        f.write(json.dumps(r, indent=2) + "\n")
    result = "RESULT: %s (exit code %d)" % (r["verdict"].upper(), r["exit_code"])
    with open(os.path.join(folder, stem + ".txt"), "w", encoding="utf-8-sig", newline="\r\n") as f:
        f.write(result + "\n")
    module.exit_json(changed=False, result=dict(exit_code=r["exit_code"], work=work), output=[result],
                     host_out="", host_err="", error=[])


if __name__ == "__main__":
    main()
