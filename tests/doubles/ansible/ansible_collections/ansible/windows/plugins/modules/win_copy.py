#!/usr/bin/python
# Stand-in for ansible.windows.win_copy (tests only): a local copy. CERTBUNDLE_FAKE_CORRUPT_COPY=1
# changes the copy (a byte added), as a host that tampers with it would.
import os
import shutil

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(src=dict(type="path", required=True), dest=dict(type="str", required=True)),
        supports_check_mode=True,
    )
    dest = module.params["dest"].replace("\\", "/")
    if not module.check_mode:
        shutil.copyfile(module.params["src"], dest)
        if os.environ.get("CERTBUNDLE_FAKE_CORRUPT_COPY") == "1":
            with open(dest, "ab") as f:
                f.write(b"\n")
    module.exit_json(changed=True, dest=module.params["dest"])


if __name__ == "__main__":
    main()
