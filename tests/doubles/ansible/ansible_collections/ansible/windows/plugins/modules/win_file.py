#!/usr/bin/python
# Stand-in for ansible.windows.win_file (tests only): state=absent removes a folder.
import os
import shutil

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(path=dict(type="str", required=True), state=dict(type="str", required=True)),
        supports_check_mode=True,
    )
    path = module.params["path"].replace("\\", "/")
    if module.params["state"] != "absent":
        module.fail_json(msg="the stand-in removes only")
    changed = os.path.exists(path)
    if changed and not module.check_mode:
        shutil.rmtree(path)
    module.exit_json(changed=changed)


if __name__ == "__main__":
    main()
