"""A learner's Jupyter server on the course hub (set up by hub/jupyterhub_config.py).

Learners get the course pages (Voila) and JupyterLab with nbgrader's Assignments tab, but not
formgrader, the course list or the assignment creator: those are for instructors.
"""

c = get_config()  # noqa: F821

c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.course_list": False,
}

# Kernels of closed course pages are shut down after 15 minutes without activity (as voila.json
# does for `mhkurs serve`); a server with no kernels and no activity for an hour stops itself and
# gives its memory back. The learner's files stay; the next login starts it again.
c.MappingKernelManager.cull_idle_timeout = 900
c.MappingKernelManager.cull_interval = 60
c.MappingKernelManager.cull_connected = False
c.ServerApp.shutdown_no_activity_timeout = 3600
