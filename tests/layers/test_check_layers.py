#!/usr/bin/python3
"""scripts/check_layers on small made-up trees: it passes a tree that keeps its
layer order and fails, at the offending line, on each kind of violation.
    test_check_layers.py PATH/TO/check_layers"""
import os
import subprocess
import sys
import tempfile
import unittest

CHECK = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), "..", "..", "scripts", "check_layers")

README = """# demo

## Layout

```layers
base
left right
app
```

## Next section
"""


def make_tree(root, files):
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)


def good_tree():
    return {
        "README.md": README,
        "base/base.hpp": "#pragma once\n",
        "base/CMakeLists.txt": "add_library(demo_base base.cpp)\n",
        "left/left.hpp": '#pragma once\n#include "base/base.hpp"\n#include <vector>\n',
        "left/CMakeLists.txt": "add_library(demo_left left.cpp)\ntarget_link_libraries(demo_left PUBLIC demo_base)\n",
        "right/right.cpp": '#include "right/right.hpp"\n#include "base/base.hpp"\n',
        "right/CMakeLists.txt": "add_library(demo_right right.cpp)\ntarget_link_libraries(demo_right PRIVATE demo_base)\n",
        "app/main.cpp": '#include "left/left.hpp"\n#include "right/right.hpp"\n',
    }


class CheckLayers(unittest.TestCase):
    def run_check(self, changes):
        files = good_tree()
        files.update(changes)
        with tempfile.TemporaryDirectory() as root:
            make_tree(root, {k: v for k, v in files.items() if v is not None})
            p = subprocess.run([CHECK, root], capture_output=True, text=True, timeout=60)
        return p.returncode, p.stderr

    def test_a_tree_in_order_passes(self):
        self.assertEqual(self.run_check({}), (0, ""))

    def test_an_include_from_a_lower_layer_fails_at_its_line(self):
        rc, err = self.run_check({"base/base.cpp": '#include "base/base.hpp"\n\n  #include "app/app.hpp"\n'})
        self.assertEqual(rc, 1)
        self.assertIn("base/base.cpp:3:13: error: 'base/' includes 'app/', which is on a layer above it", err)

    def test_an_include_within_one_layer_fails(self):
        rc, err = self.run_check({"left/left.cpp": '#include "right/right.hpp"\n'})
        self.assertEqual(rc, 1)
        self.assertIn("left/left.cpp:1:11: error: 'left/' includes 'right/', which is on the same layer as it", err)

    def test_a_folder_outside_the_order_fails(self):
        rc, err = self.run_check({"extra/x.cpp": '#include "base/base.hpp"\n'})
        self.assertEqual(rc, 1)
        self.assertIn("folder 'extra' holds sources but is not in the README's layer order", err)

    def test_a_library_that_does_not_link_what_it_includes_fails(self):
        rc, err = self.run_check({"left/CMakeLists.txt": "add_library(demo_left left.cpp)\n"})
        self.assertEqual(rc, 1)
        self.assertIn("left/CMakeLists.txt:1:1: error: demo_left does not link demo_base", err)

    def test_a_readme_without_the_order_is_refused(self):
        rc, err = self.run_check({"README.md": "# demo\n\n## Layout\n\nno block\n"})
        self.assertEqual(rc, 2)
        self.assertIn("no ```layers block", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
