"""nbgrader in an instructor's server on the course hub (set up by hub/jupyterhub_config.py).

The course's own configuration (assessments/nbgrader_config.py: timeouts, feedback filter) with
the hub's course folder, gradebook and exchange. Formgrader and the `nbgrader` commands in the
instructor's JupyterLab terminal both read this file.
"""

import os

c = get_config()  # noqa: F821
load_subconfig(os.path.join(os.environ["MHKURS_REPO"], "assessments", "nbgrader_config.py"))  # noqa: F821

c.CourseDirectory.root = os.environ["MHKURS_COURSE_DIR"]
c.CourseDirectory.course_id = os.environ["MHKURS_COURSE_ID"]
# PostgreSQL for a class (several instructors may grade at once), SQLite for one instructor.
c.CourseDirectory.db_url = os.environ["MHKURS_GRADEBOOK_URL"]
c.Exchange.root = os.environ["MHKURS_EXCHANGE"]
c.Exchange.path_includes_course = True
# Trial hubs run every server as one system user, so submissions are all owned by that user;
# nbgrader's "cheating attempt?" owner check would warn about every one of them.
c.ExchangeCollect.check_owner = os.environ.get("MHKURS_HUB_ONE_SYSTEM_USER") != "1"
