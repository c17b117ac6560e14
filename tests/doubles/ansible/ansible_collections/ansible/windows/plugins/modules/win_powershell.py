#!/usr/bin/python
# Stand-in for ansible.windows.win_powershell (tests only). It runs no PowerShell. Like the real
# module it skips a script in check mode unless the script declares SupportsShouldProcess. Then it
# does what the playbook's script does: checks the installer copy (SHA-256, alone in its folder),
# builds the installer's arguments, and, as the installer would, writes a report into -ReportDir:
# the report in CERTBUNDLE_FAKE_REPORT turned into this run's mode. Each run it would start is
# logged (one JSON line of arguments) into CERTBUNDLE_FAKE_LOG.
import hashlib
import json
import os

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
    with open(installer, "rb") as f:
        actual = hashlib.sha256(f.read()).hexdigest().upper()
    others = [n for n in os.listdir(os.path.dirname(installer)) if n != os.path.basename(installer)]
    if actual != p["Sha256"] or others:
        module.fail_json(msg="The installer copy changed, or its folder holds other files: not run.",
                         result=dict(exit_code=-1))
    args = ["-ReportDir", p["ReportDir"]]
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
    r = report_for(os.environ["CERTBUNDLE_FAKE_REPORT"], args, p["ReportDir"])
    folder = p["ReportDir"].replace("\\", "/")
    os.makedirs(folder, exist_ok=True)
    stem = "%s_%s" % (r["host"]["name"], r["finished"].replace("-", "").replace(":", ""))
    with open(os.path.join(folder, stem + ".json"), "w", newline="\n") as f:
        f.write(json.dumps(r, indent=2) + "\n")
    result = "RESULT: %s (exit code %d)" % (r["verdict"].upper(), r["exit_code"])
    with open(os.path.join(folder, stem + ".txt"), "w", encoding="utf-8-sig", newline="\r\n") as f:
        f.write(result + "\n")
    module.exit_json(changed=False, result=dict(exit_code=r["exit_code"]), output=[result],
                     host_out="", host_err="", error=[])


if __name__ == "__main__":
    main()
