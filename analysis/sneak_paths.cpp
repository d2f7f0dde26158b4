#include "analysis/sneak_paths.hpp"

#include <algorithm>
#include <cmath>
#include <queue>

#include <fmt/format.h>
#include <boost/graph/adjacency_list.hpp>

namespace xbar {
namespace {

struct CellEdge {
  int row = 0, col = 0;
  double g = 0;
};
// Vertices 0..R-1 are word lines, R..R+C-1 bit lines.
using ArrayGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property, CellEdge>;

class PathSearch {
 public:
  PathSearch(const SneakGraphInput& in, int max_cells, int top_n, std::size_t max_paths)
      : in_(in), R_(in.rows), graph_(in.rows + in.cols), max_cells_(max_cells), top_n_(top_n), max_paths_(max_paths) {
    for (int i = 0; i < R_; ++i)
      for (int j = 0; j < in.cols; ++j) {
        const double g = in.g[static_cast<std::size_t>(i) * in.cols + j];
        if (g > 0 && !(i == in.sel_row && j == in.sel_col)) boost::add_edge(i, R_ + j, CellEdge{i, j, g}, graph_);
      }
    on_path_.assign(R_ + in.cols, false);
    target_ = R_ + in.sel_col;
  }

  SneakPathReport run() {
    report_.max_cells = max_cells_;
    for (int v = 0; v < R_ + in_.cols && !report_.truncated; ++v) {
      const double volts = voltage(v);
      if (std::isnan(volts) || v == target_) continue;
      v_start_ = volts;
      on_path_[v] = true;
      walk(v, 0.0);
      on_path_[v] = false;
    }
    report_.top.clear();
    while (!heap_.empty()) {
      report_.top.push_back(heap_.top());
      heap_.pop();
    }
    std::reverse(report_.top.begin(), report_.top.end());
    return report_;
  }

 private:
  double voltage(int v) const { return v < R_ ? in_.row_voltage[v] : in_.col_voltage[v - R_]; }

  // Depth-first over simple paths; `resistance` is the series resistance so far.
  void walk(int v, double resistance) {
    if (static_cast<int>(cells_.size()) >= max_cells_) return;
    if (static_cast<int>(cells_.size()) + 1 == max_cells_) {
      // One cell left: only a word line's cell on the sensed column can end
      // the path, so look it up instead of scanning the line's every cell
      // (which made a 1024x1024 floating read O(n^3)).
      if (v >= R_ || v == in_.sel_row) return;
      const double g = in_.g[static_cast<std::size_t>(v) * in_.cols + in_.sel_col];
      if (!(g > 0)) return;
      cells_.push_back({v, in_.sel_col});
      record(resistance + 1.0 / g);
      cells_.pop_back();
      return;
    }
    for (auto [e, end] = boost::out_edges(v, graph_); e != end; ++e) {
      const int next = static_cast<int>(boost::target(*e, graph_));
      if (on_path_[next]) continue;
      const CellEdge& cell = graph_[*e];
      const double r = resistance + 1.0 / cell.g;
      if (next == target_) {
        cells_.push_back({cell.row, cell.col});
        record(r);
        cells_.pop_back();
        if (report_.truncated) return;
        continue;
      }
      if (!std::isnan(voltage(next))) continue;  // a held line absorbs the path
      cells_.push_back({cell.row, cell.col});
      on_path_[next] = true;
      walk(next, r);
      on_path_[next] = false;
      cells_.pop_back();
      if (report_.truncated) return;
    }
  }

  void record(double resistance) {
    SneakPath p;
    p.g_series = 1.0 / resistance;
    p.v_start = v_start_;
    p.i_est = v_start_ * p.g_series;
    report_.total_est += p.i_est;
    if (++report_.paths >= max_paths_) report_.truncated = true;
    if (top_n_ <= 0) return;
    if (static_cast<int>(heap_.size()) < top_n_ || std::fabs(p.i_est) > std::fabs(heap_.top().i_est)) {
      p.cells = cells_;
      heap_.push(std::move(p));
      if (static_cast<int>(heap_.size()) > top_n_) heap_.pop();
    }
  }

  struct SmallerFirst {
    bool operator()(const SneakPath& a, const SneakPath& b) const { return std::fabs(a.i_est) > std::fabs(b.i_est); }
  };

  const SneakGraphInput& in_;
  const int R_;
  ArrayGraph graph_;
  const int max_cells_, top_n_;
  const std::size_t max_paths_;
  int target_ = 0;
  double v_start_ = 0;
  std::vector<bool> on_path_;
  std::vector<std::pair<int, int>> cells_;
  std::priority_queue<SneakPath, std::vector<SneakPath>, SmallerFirst> heap_;
  SneakPathReport report_;
};

}  // namespace

std::string SneakPath::text() const {
  if (cells.empty()) return "";
  // The first cell's far side from the start: a path from a word line starts
  // at its row; one from a bit line at its column.
  const bool from_wl = cells.size() % 2 == 1;
  std::string s = from_wl ? fmt::format("WL{}", cells[0].first) : fmt::format("BL{}", cells[0].second);
  bool at_wl = from_wl;
  for (const auto& [i, j] : cells) {
    s += fmt::format(" -({},{})- ", i, j);
    s += at_wl ? fmt::format("BL{}", j) : fmt::format("WL{}", i);
    at_wl = !at_wl;
  }
  return s;
}

SneakPathReport find_sneak_paths(const SneakGraphInput& in, int max_cells, int top_n, std::size_t max_paths) {
  return PathSearch(in, max_cells, top_n, max_paths).run();
}

}  // namespace xbar
