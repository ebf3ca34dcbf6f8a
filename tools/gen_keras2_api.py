"""Generate ``kfitcompat/legacy/keras2_api.json``: the Keras 1.2.2, 2.2.4 and 2.3.1 public API,
read with ``ast`` from the tagged sources (no Keras 2 install), one row per module, public
name, parameter, class attribute and Keras 1 spelling (:mod:`keras2_sources`).

The sources come from local read-only mirrors (``tools/mirrors.py``: ``--mirrors DIR`` or
``$KFITCOMPAT_MIRRORS``): ``keras-team/keras`` at the tags below (commits checked) and
``keras-team/keras-preprocessing`` 1.1.2 for the ``keras.preprocessing`` names Keras 2 took from
it. The Keras 3 side and the verdicts are not here: ``python -m kfitcompat.legacy.table --write``
adds them (no mirror needed).

    python tools/gen_keras2_api.py            # write the file
    python tools/gen_keras2_api.py --check    # exit 1 if the committed file differs
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))

from keras2_sources import flatten, read_tree  # noqa: E402
from mirrors import MirrorError, extract, find_mirror, rev_parse  # noqa: E402

#: version -> (repository, tag, commit the tag named when this table was written)
SOURCES = {
    "1.2.2": ("keras-team/keras", "1.2.2", "4fa7e5d454dd4f3f33f1d756a2a8659f2e789141"),
    "2.2.4": ("keras-team/keras", "2.2.4", "1931e2186843ad3ca2507a3b16cb09a7a3db5285"),
    "2.3.1": ("keras-team/keras", "2.3.1", "f295e8ee39d4ba841ac281a9337d69c7bc5e0eb6"),
}
PREPROCESSING = ("keras-team/keras-preprocessing", "1.1.2",
                 "4538765fd369def80f81ad977bcf8e40e58c2f82")
OUT = TOOLS.parent / "kfitcompat" / "legacy" / "keras2_api.json"


def _checked(repo: str, tag: str, sha: str, mirrors: Path | None) -> tuple[Path, str]:
    git_dir = find_mirror(repo, mirrors)
    found = rev_parse(git_dir, tag)
    if found != sha:
        raise SystemExit(f"{repo}: tag {tag} names {found}, expected {sha} (tag moved?)")
    return git_dir, sha


def generate(mirrors: Path | None) -> str:
    with tempfile.TemporaryDirectory(prefix="kfitcompat-keras2-") as tmp:
        base = Path(tmp)
        git_dir, sha = _checked(*PREPROCESSING, mirrors)
        extract(git_dir, sha, ["keras_preprocessing"], base / "kp")
        trees = []
        for version, (repo, tag, commit) in SOURCES.items():
            git_dir, sha = _checked(repo, tag, commit, mirrors)
            extract(git_dir, sha, ["keras"], base / version)
            extra = {"keras_preprocessing": base / "kp"} if version != "1.2.2" else None
            trees.append(read_tree(version, base / version, extra))
    rows = flatten(trees)
    header = {"sources": {v: {"repo": r, "tag": t, "commit": c}
                          for v, (r, t, c) in SOURCES.items()},
              "preprocessing": dict(zip(("repo", "tag", "commit"), PREPROCESSING)),
              "versions": list(SOURCES), "rows": len(rows)}
    lines = [json.dumps(header, sort_keys=True)]
    lines += [json.dumps(row, sort_keys=True, separators=(",", ":")) for row in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", type=Path, default=None,
                        help="mirror root (default: $KFITCOMPAT_MIRRORS)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    try:
        text = generate(args.mirrors)
    except MirrorError as exc:
        print(f"gen_keras2_api: {exc}", file=sys.stderr)
        return 2
    if args.check:
        same = args.out.exists() and args.out.read_text() == text
        print(f"{args.out}: {'up to date' if same else 'differs from the Keras 2 sources'}")
        return 0 if same else 1
    args.out.write_text(text)
    print(f"wrote {args.out} ({text.count(chr(10)) - 1} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
