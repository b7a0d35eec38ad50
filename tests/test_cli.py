"""The command line's serving pieces, without starting a server."""

from pathlib import Path

from mhkurs.bank import get_bank
from mhkurs.bank.loader import REPO_ROOT
from mhkurs.cli import LANDING, build_site, main, voila_command


def test_the_served_site_holds_only_the_course_pages(tmp_path):
    site = build_site(tmp_path / "site")
    served = sorted(str(p.relative_to(site)) for p in site.rglob("*") if p.is_file() or p.is_symlink())
    modules = sorted(m.notebook for m in get_bank().all("modules"))
    assert served == sorted([LANDING, *modules])
    for rel in served:
        assert (site / rel).read_bytes() == (REPO_ROOT / rel).read_bytes()
    build_site(tmp_path / "site")  # rebuilding over an existing site works


def test_voila_command_options():
    cmd = voila_command("0.0.0.0", 9000, Path("/srv/site"), preheat=False, base_url="menneskehandel")
    assert cmd[1:3] == ["-m", "mhkurs.serving"]  # Voila with the course's kernel caps
    assert cmd[3:] == ["/srv/site", "--no-browser", "--port=9000", "--Voila.ip=0.0.0.0",
                       "--Voila.base_url=/menneskehandel/", "--VoilaConfiguration.preheat_kernel=False"]
    for empty in ("", "/", "//"):
        assert "--Voila.base_url" not in " ".join(voila_command("h", 1, Path("/s"), base_url=empty))
    assert voila_command("127.0.0.1", 8866, Path("/s"))[3:] == ["/s", "--no-browser", "--port=8866", "--Voila.ip=127.0.0.1"]

    limits = ["--CourseVoila.max_kernels=5"]
    assert voila_command("h", 1, Path("/s"), limits=limits)[-1] == "--CourseVoila.max_kernels=5"


def test_assessments_check_verb(capsys):
    assert main(["assessments", "--check"]) == 0
    assert "4 source notebooks match the bank" in capsys.readouterr().out
