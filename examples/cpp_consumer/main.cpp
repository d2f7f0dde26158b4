// Runs a config through the xbar C++ API and prints its column currents, one
// per line as vector,col,current (the primary engine's, in A, every digit),
// then reruns the built tile on a second batch of inputs.
#include <cstdio>
#include <vector>

#include <xbar/xbar.hpp>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: xbar_consumer CONFIG [KEY=VALUE]...\n");
    return 2;
  }
  try {
    const std::vector<std::string> overrides(argv + 2, argv + argc);
    const xbar::api::Config config = xbar::api::Config::from_file(argv[1], overrides);
    const xbar::api::Result r = xbar::api::run(config);
    const xbar::api::Array& i = r.primary_engine == "spice" ? *r.i_spice : *r.i_nodal;
    for (int v = 0; v < r.vectors; ++v)
      for (int j = 0; j < r.cols; ++j) std::printf("%d,%d,%.17g\n", v, j, i.at(v, j));
    std::fprintf(stderr, "xbar %s: %s max_rel_err %.4e\n", xbar::api::version().c_str(), r.name.c_str(),
                 r.metrics.at("max_rel_err"));

    // The same tile, a new batch: every input at half scale.
    const xbar::api::Tile tile(config);
    const xbar::api::Result half = tile.run({std::vector<double>(static_cast<std::size_t>(tile.rows()), 0.5)});
    std::fprintf(stderr, "half-scale batch: nrmse %.4e\n", half.metrics.at("nrmse"));
  } catch (const xbar::api::ConfigError& e) {
    for (const auto& p : e.problems()) std::fprintf(stderr, "%s\n", p.str().c_str());
    return 2;
  } catch (const xbar::api::SimulationError& e) {
    std::fprintf(stderr, "xbar_consumer: simulation failed: %s\n", e.what());
    return 3;
  }
  return 0;
}
