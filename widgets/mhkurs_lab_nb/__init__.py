"""JupyterLab in Norwegian bokmål for the class hub: the course's own language pack (locale ``nb_NO``).

PyPI's pack for Norwegian (``jupyterlab-language-pack-no-NO``) translates about 56 strings and none of the
menus, so trainees on the hub met English menus while the assignments speak bokmål. This pack translates
what a trainee and an instructor use: the main menu and every item in File, Edit, View, Run, Kernel, Tabs,
Settings and Help, and the notebook's common dialogs. It is found by JupyterLab through the
``jupyterlab.languagepack`` entry point (pyproject.toml); the hub sets it as the default locale
(``hub/jupyter/*/labconfig``). The translations are data: ``locale/nb_NO/LC_MESSAGES/jupyterlab.json``
(JupyterLab's gettext-JSON format), checked by tests/test_hub_language.py. What JupyterLab shows with no
translation here stays English (the reference links in Help, nbgrader's own menu and screens).
"""
