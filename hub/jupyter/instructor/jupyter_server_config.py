"""An instructor's Jupyter server on the course hub: JupyterLab on the course folder, formgrader."""

c = get_config()  # noqa: F821

c.ServerApp.jpserver_extensions = {"nbgrader.server_extensions.formgrader": True}
c.MappingKernelManager.cull_idle_timeout = 3600
c.MappingKernelManager.cull_interval = 300
