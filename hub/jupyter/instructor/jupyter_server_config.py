"""An instructor's Jupyter server on the course hub: JupyterLab on the course folder, formgrader."""

c = get_config()  # noqa: F821

c.ServerApp.jpserver_extensions = {"nbgrader.server_extensions.formgrader": True}
c.MappingKernelManager.cull_idle_timeout = 3600
c.MappingKernelManager.cull_interval = 300

# JupyterLab terminals: a plain (not login) shell, so PATH keeps the course's environment
# (`nbgrader`, `mhkurs`) instead of the system's default from /etc/profile; a terminal opened
# without a folder starts in the course folder rather than the instructor's home.
c.ServerApp.terminado_settings = {"shell_command": [
    "/bin/bash", "-c", '[ "$PWD" = "$HOME" ] && cd "$MHKURS_COURSE_DIR"; exec /bin/bash -i']}
