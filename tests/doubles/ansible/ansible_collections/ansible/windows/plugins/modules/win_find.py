#!/usr/bin/python
# Stand-in for ansible.windows.win_find (tests only): files of one folder matching the patterns.
import fnmatch
import os

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(paths=dict(type="list", elements="str", required=True),
                           patterns=dict(type="list", elements="str", default=["*"])),
        supports_check_mode=True,
    )
    files = []
    for folder in module.params["paths"]:
        folder = folder.replace("\\", "/")
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if any(fnmatch.fnmatch(name, p) for p in module.params["patterns"]):
                files.append(dict(filename=name, path=os.path.join(folder, name), isdir=False))
    module.exit_json(changed=False, files=files, matched=len(files), examined=len(files))


if __name__ == "__main__":
    main()
