// scripts/plot: each subcommand turns a small output file into a PNG that
// exists, is a PNG, and is not a blank canvas (a plot with content is larger
// than an empty figure's few kilobytes).
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>

namespace fs = std::filesystem;

namespace {

const std::string kPlot = std::string(XBAR_SOURCE_DIR) + "/scripts/plot";

bool have_matplotlib() { return std::system("/usr/bin/python3 -c 'import matplotlib' 2>/dev/null") == 0; }

fs::path scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / fmt::format("xbar_plot_test_{}", ::getpid());
  fs::create_directories(dir);
  return dir / name;
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

// True when `png` starts with the PNG signature and holds more than `min_bytes`.
bool is_png(const fs::path& png, std::uintmax_t min_bytes) {
  std::ifstream in(png, std::ios::binary);
  char sig[8] = {};
  in.read(sig, 8);
  return in && std::string(sig + 1, 3) == "PNG" && fs::file_size(png) > min_bytes;
}

int run(const std::string& args) { return std::system(fmt::format("{} {} >/dev/null 2>&1", kPlot, args).c_str()); }

}  // namespace

TEST_CASE("plot waveforms, heatmap, sweep and histogram write non-trivial PNGs") {
  // scripts/setup installs python3-matplotlib: without it scripts/plot cannot
  // work, and that is a failure of this machine's setup, not a skip.
  REQUIRE_MESSAGE(have_matplotlib(), "python3 cannot import matplotlib: run scripts/setup (python3-matplotlib)");
  std::string wf = "time [s],i_col:c0 [A],v_wl:r0c0 [V]\n";
  for (int k = 0; k <= 100; ++k) {
    const double t = k * 1e-10;
    wf += fmt::format("{},{},{}\n", t, 1e-4 * (1 - std::exp(-t / 1e-9)), 0.2 * (1 - std::exp(-t / 0.5e-9)));
  }
  write(scratch("waveforms.csv"), wf);
  CHECK(run(fmt::format("waveforms {} -o {}", scratch("waveforms.csv").string(), scratch("wf.png").string())) == 0);
  CHECK(is_png(scratch("wf.png"), 15000));

  std::string cells = "vector,row,col,g,v_wl,v_bl,v_cell,i_cell\n";
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j) {
      const double vwl = 0.2 - 0.001 * j, vbl = 0.0005 * i;
      cells += fmt::format("0,{},{},1e-4,{},{},{},{}\n", i, j, vwl, vbl, vwl - vbl, 1e-4 * (vwl - vbl));
    }
  write(scratch("cells.csv"), cells);
  CHECK(run(fmt::format("heatmap {} -o {}", scratch("cells.csv").string(), scratch("hm.png").string())) == 0);
  CHECK(is_png(scratch("hm.png"), 15000));

  const std::string sweep = std::string(XBAR_SOURCE_DIR) + "/tests/plot/sweep.csv";
  CHECK(run(fmt::format("sweep {} --y max_rel_err --logx -o {}", sweep, scratch("sw.png").string())) == 0);
  CHECK(is_png(scratch("sw.png"), 15000));

  std::string samples = "point,seed,status,error,elapsed_s,max_rel_err\n";
  for (int k = 0; k < 200; ++k) samples += fmt::format("{},{},ok,,0.01,{}\n", k, 1000 + k, 0.05 + 0.01 * std::sin(k));
  samples += "200,1200,failed,no convergence,0.01,\n";
  write(scratch("samples.csv"), samples);
  CHECK(run(fmt::format("histogram {} --metric max_rel_err --limit 0.055 -o {}", scratch("samples.csv").string(),
                        scratch("hist.png").string())) == 0);
  CHECK(is_png(scratch("hist.png"), 15000));
  CHECK(run(fmt::format("histogram {} --metric nope -o {}", scratch("samples.csv").string(),
                        scratch("bad_hist.png").string())) != 0);
  CHECK_FALSE(fs::exists(scratch("bad_hist.png")));

  // Bad input: a clear refusal, no PNG.
  CHECK(run(fmt::format("sweep {} --y no_such_metric -o {}", sweep, scratch("bad.png").string())) != 0);
  CHECK_FALSE(fs::exists(scratch("bad.png")));
  fs::remove_all(scratch("").parent_path());
}

TEST_CASE("plot sweep: legend in numeric order; a zip sweep is one series against the zipped key") {
  // sweep_series() of scripts/plot, called from Python on small sweep.csv files.
  const fs::path grid = scratch("grid.csv"), zip = scratch("zip.csv");
  write(grid,
        "point,parasitics.r_wl,tile.rows,status,error,elapsed_s,max_rel_err\n"
        "0,10,16,ok,,0.1,0.3\n1,3.16,16,ok,,0.1,0.2\n2,10,32,ok,,0.1,0.5\n3,3.16,32,ok,,0.1,0.4\n");
  write(zip,
        "point,tile.rows,tile.cols,status,error,elapsed_s,max_rel_err\n"
        "0,16,16,ok,,0.1,0.1\n1,32,32,ok,,0.1,0.2\n2,8,8,ok,,0.1,0.05\n");
  const fs::path out = scratch("series.txt");
  auto series = [&](const fs::path& csv, const std::string& x) {
    const std::string py = fmt::format(
        "import importlib.machinery, importlib.util, csv; "
        "l = importlib.machinery.SourceFileLoader('plot', '{}'); s = importlib.util.spec_from_loader('plot', l); "
        "m = importlib.util.module_from_spec(s); l.exec_module(m); "
        "rows = list(csv.reader(open('{}'))); labels, zipped = m.sweep_series(rows[0], rows[1:], '{}', 'max_rel_err'); "
        "print(repr(labels)); print(repr(zipped))",
        kPlot, csv.string(), x);
    REQUIRE(std::system(fmt::format("/usr/bin/python3 -c \"{}\" > {} 2>&1", py, out.string()).c_str()) == 0);
    std::ifstream in(out);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text;
  };
  if (!have_matplotlib()) return;
  CHECK(series(grid, "tile.rows") ==
        "[('parasitics.r_wl=3.16', [(16.0, 0.2), (32.0, 0.4)]), ('parasitics.r_wl=10', [(16.0, 0.3), (32.0, "
        "0.5)])]\n[]\n");
  CHECK(series(zip, "tile.rows") == "[('', [(8.0, 0.05), (16.0, 0.1), (32.0, 0.2)])]\n['tile.cols']\n");
  fs::remove_all(scratch("").parent_path());
}
