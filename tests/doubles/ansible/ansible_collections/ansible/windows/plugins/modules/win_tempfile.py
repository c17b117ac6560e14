#!/usr/bin/python
# Stand-in for ansible.windows.win_tempfile (tests only): a folder under CERTBUNDLE_FAKE_TEMP.
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="str", default="%TEMP%"),
            state=dict(type="str", default="file", choices=["directory", "file"]),
            prefix=dict(type="str", default="ansible."),
            suffix=dict(type="str", default=""),
        ),
        supports_check_mode=True,
    )
    base = os.environ["CERTBUNDLE_FAKE_TEMP"]
    if module.params["state"] != "directory":
        module.fail_json(msg="the stand-in makes folders only")
    if module.check_mode:
        # As the real one: a name, nothing made.
        path = os.path.join(base, module.params["prefix"] + "checkmode")
    else:
        path = tempfile.mkdtemp(prefix=module.params["prefix"], dir=base)
    module.exit_json(changed=True, state="directory", path=path)


if __name__ == "__main__":
    main()
