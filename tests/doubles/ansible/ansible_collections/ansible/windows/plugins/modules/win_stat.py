#!/usr/bin/python
# Stand-in for ansible.windows.win_stat (tests only): exists and checksum (lower-case hex).
import hashlib
import os

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="str", required=True),
            get_checksum=dict(type="bool", default=True),
            checksum_algorithm=dict(type="str", default="sha1"),
            follow=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    path = module.params["path"].replace("\\", "/")
    stat = dict(exists=os.path.isfile(path))
    if stat["exists"] and module.params["get_checksum"]:
        with open(path, "rb") as f:
            stat["checksum"] = hashlib.new(module.params["checksum_algorithm"], f.read()).hexdigest()
    module.exit_json(changed=False, stat=stat)


if __name__ == "__main__":
    main()
