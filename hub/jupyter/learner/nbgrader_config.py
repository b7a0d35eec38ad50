"""nbgrader in a learner's server on the course hub (set up by hub/jupyterhub_config.py).

The learner's Assignments tab lists the course's released assignments from the shared exchange;
fetched assignments land in ``<home>/<course id>/<assignment>/``. The student id is the hub user
name: every trial server runs as the same system user, so nbgrader must not take the name from
the operating system.
"""

import os

c = get_config()  # noqa: F821 (provided when nbgrader loads this file)

c.CourseDirectory.course_id = os.environ["MHKURS_COURSE_ID"]
c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
c.Exchange.root = os.environ["MHKURS_EXCHANGE"]
c.Exchange.path_includes_course = True
