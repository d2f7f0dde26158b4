#include "network/network_outputs.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/atomic_file.hpp"

namespace xbar {

std::string network_json(const Config& c, const NetworkResult& r) {
  using nlohmann::json;
  json layers = json::array();
  for (const auto& l : r.layers)
    layers.push_back({{"in", l.in},
                      {"out", l.out},
                      {"tiles", l.tiles},
                      {"row_tiles", l.row_tiles},
                      {"col_tiles", l.col_tiles},
                      {"w_scale", l.w_scale},
                      {"x_max", l.x_max},
                      {"adc_full_scale_A", l.adc_fs},
                      {"nrmse_vs_ideal", l.nrmse_vs_ideal},
                      {"nrmse_vs_float", l.nrmse_vs_float},
                      {"energy_J",
                       {{"array", l.array_energy},
                        {"dac", l.dac_energy},
                        {"adc", l.adc_energy},
                        {"total", l.array_energy + l.dac_energy + l.adc_energy}}},
                      {"dac_conversions", l.dac_conversions},
                      {"adc_conversions", l.adc_conversions},
                      {"ops", l.ops},
                      {"latency_s", l.latency},
                      {"latency_tile", l.latency_tile}});
  json tiles = json::array();
  for (const auto& t : r.tiles)
    tiles.push_back({{"layer", t.layer},
                     {"name", t.name},
                     {"row0", t.row0},
                     {"rows", t.rows},
                     {"col0", t.col0},
                     {"cols", t.cols},
                     {"nrmse_vs_ideal", t.nrmse_vs_ideal},
                     {"max_err_fs", t.max_err_fs},
                     {"max_ir_drop_fs", t.max_ir_drop_fs},
                     {"energy_J",
                      {{"array", t.array_energy},
                       {"dac", t.dac_energy},
                       {"adc", t.adc_energy},
                       {"total", t.array_energy + t.dac_energy + t.adc_energy}}}});
  json j = {
      {"name", c.name},
      {"images", r.images},
      {"classes", r.classes},
      {"accuracy", {{"float", r.acc_float}, {"quantized", r.acc_quantized}, {"circuit", r.acc_circuit}}},
      {"decisions_differing_circuit_vs_quantized", r.decisions_circuit_vs_quantized},
      {"engine", r.engine},
      {"model_file", r.model_file},
      {"trained_in_this_run", r.trained},
      {"transfer_check", {{"images", r.transfer_check_images}, {"max_rel_diff", r.transfer_check_max_rel}}},
      {"spice_check", {{"images", r.spice_images}, {"max_rel_diff", r.spice_max_rel}}},
      {"per_inference",
       {{"energy_J", r.energy}, {"latency_s", r.latency}, {"ops", r.ops}, {"tops_per_w", r.tops_per_w}}},
      {"layers", layers},
      {"tiles", tiles},
      {"elapsed_s", r.seconds},
  };
  return j.dump(2) + "\n";
}

void write_network_outputs(const std::filesystem::path& dir, const Config& c, const NetworkResult& r) {
  std::filesystem::create_directories(dir);
  write_file_atomically(dir / "layers.csv", [&](std::ostream& o) {
    o << "layer,in,out,tiles,row_tiles,col_tiles,w_scale,x_max,adc_full_scale_A,nrmse_vs_ideal,nrmse_vs_float,"
         "array_energy_J,dac_energy_J,adc_energy_J,total_energy_J,ops,latency_s,latency_tile\n";
    for (std::size_t k = 0; k < r.layers.size(); ++k) {
      const auto& l = r.layers[k];
      o << fmt::format(
          "{},{},{},{},{},{},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{},{:.9g},{}\n", k + 1,
          l.in, l.out, l.tiles, l.row_tiles, l.col_tiles, l.w_scale, l.x_max, l.adc_fs, l.nrmse_vs_ideal,
          l.nrmse_vs_float, l.array_energy, l.dac_energy, l.adc_energy, l.array_energy + l.dac_energy + l.adc_energy,
          l.ops, l.latency, l.latency_tile);
    }
  });
  write_file_atomically(dir / "tiles.csv", [&](std::ostream& o) {
    o << "layer,tile,row0,rows,col0,cols,nrmse_vs_ideal,max_err_fs,max_ir_drop_fs,array_energy_J,dac_energy_J,"
         "adc_energy_J,total_energy_J\n";
    for (const auto& t : r.tiles)
      o << fmt::format("{},{},{},{},{},{},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g}\n", t.layer, t.name, t.row0,
                       t.rows, t.col0, t.cols, t.nrmse_vs_ideal, t.max_err_fs, t.max_ir_drop_fs, t.array_energy,
                       t.dac_energy, t.adc_energy, t.array_energy + t.dac_energy + t.adc_energy);
  });
  write_file_atomically(dir / "confusion.csv", [&](std::ostream& o) {
    o << "true_class";
    for (int k = 0; k < r.classes; ++k) o << ",predicted_" << k;
    o << "\n";
    for (std::size_t t = 0; t < r.confusion.size(); ++t) {
      o << t;
      for (long long v : r.confusion[t]) o << "," << v;
      o << "\n";
    }
  });
  write_file_atomically(dir / "network.json", network_json(c, r));
}

}  // namespace xbar
