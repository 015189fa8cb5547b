"""`flask render-handout`: a module's handout for no couple in particular."""
from .conftest import reader, text_of


def test_render_handout_writes_a_generic_large_print_a4_pdf(runner, tmp_path, library):
    out = tmp_path / "handout.pdf"
    result = runner.invoke(args=["render-handout", "weekly-check-in", "-o", str(out), "--large-print", "--paper", "A4"])
    assert result.exit_code == 0, result.output
    pdf = out.read_bytes()
    text = text_of(pdf)
    assert library.get("weekly-check-in").title in text
    assert "Prepared for" not in text and "Your practice" not in text
    box = reader(pdf).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_render_handout_names_an_unknown_module(runner, tmp_path):
    result = runner.invoke(args=["render-handout", "no-such-module", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0 and "no-such-module" in result.output
    assert not (tmp_path / "x.pdf").exists()
