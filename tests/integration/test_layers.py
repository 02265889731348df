"""test_layers.py: the house layering rule — src/domain includes nothing from src/web (issue #14, hole 12).

Layers: src/core <- src/providers <- src/domain <- src/web, src/worker.  The request
parser belongs to the web layer; helpers the business needs live in src/core."""
import re

from conftest import ROOT

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def headers_of(layer):
    return {p.name for p in (ROOT / "src" / layer).glob("*.h")}


def test_domain_includes_no_web_header():
    web = headers_of("web") | {p.name for p in (ROOT / "src/web/pages").glob("*.h")}
    offenders = []
    for path in sorted((ROOT / "src/domain").glob("*.[ch]")):
        for name in INCLUDE.findall(path.read_text()):
            if name.split("/")[-1] in web:
                offenders.append(f"{path.name} includes {name}")
    assert not offenders, offenders


def test_core_and_providers_include_nothing_above_them():
    above = headers_of("web") | headers_of("domain") | headers_of("worker")
    offenders = []
    for layer in ("core", "providers"):
        for path in sorted((ROOT / "src" / layer).glob("*.[ch]")):
            for name in INCLUDE.findall(path.read_text()):
                if name.split("/")[-1] in above:
                    offenders.append(f"{layer}/{path.name} includes {name}")
    assert not offenders, offenders


def test_libcamp_links_no_web_source():
    """libcamp (core + providers + domain) is what the worker and campctl link: no web code in it."""
    text = (ROOT / "Makefile.am").read_text()
    blocks = re.findall(r"^libcamp_a_SOURCES\s*\+?=((?:.*\\\n)*.*)$", text, re.M)
    assert blocks
    sources = " ".join(blocks)
    assert "src/web/" not in sources, sources
