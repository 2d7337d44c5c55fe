"""surveypaper.yamlio: libyaml's parser first, ruamel's own where libyaml is stricter than YAML 1.2."""

from pathlib import Path

import pytest
from surveypaper import yamlio

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "raw").rglob("*.yaml")) + sorted((ROOT / "templates").rglob("*.yaml"))


def test_the_c_parser_is_installed():
    """A declared dependency: without it every file silently takes the slow path."""
    from ruamel.yaml.main import CParser

    assert CParser is not None


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_both_parsers_read_the_shipped_files_alike(path):
    text = path.read_text(encoding="utf-8-sig")
    for typ in ("base", "safe"):
        assert yamlio._parse(text, typ, pure=False) == yamlio._parse(text, typ, pure=True)


def test_yaml_12_that_libyaml_refuses_is_read(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("- {key: plan, text: Do you have a plan?}\n", encoding="utf-8")
    assert yamlio.load_config(path) == [{"key": "plan", "text": "Do you have a plan?"}]


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("state: ARG\nstate: NOR\n", 2, "duplicate key 'state'"),
        ("state: [ARG\n", None, "expected"),
    ],
)
def test_errors_come_from_one_parser_with_their_line(tmp_path, text, line, message):
    path = tmp_path / "ARG.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(yamlio.YamlError) as info:
        yamlio.load_verbatim(path)
    assert message in info.value.message
    if line:
        assert info.value.line == line


def test_scalars_stay_as_written(tmp_path):
    path = tmp_path / "ARG.yaml"
    path.write_text("a: yes\nb: NO\nc: 012\nd: 1.10\n", encoding="utf-8")
    assert yamlio.load_verbatim(path) == {"a": "yes", "b": "NO", "c": "012", "d": "1.10"}
