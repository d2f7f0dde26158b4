#include "network/mlp.hpp"

#include <fmt/format.h>
#include <Eigen/Dense>

#include <charconv>
#include <cmath>
#include <fstream>
#include <numeric>
#include <sstream>

#include "common/atomic_file.hpp"
#include "common/diagnostics.hpp"
#include "config_loader/data_file.hpp"
#include "netlist_gen/portable_random.hpp"

namespace xbar {
namespace {

using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;
using Vec = Eigen::VectorXf;
using RowMap = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;

struct AdamState {
  Mat m, v;
  void init(Eigen::Index r, Eigen::Index c) {
    m = Mat::Zero(r, c);
    v = Mat::Zero(r, c);
  }
  void step(Mat& p, const Mat& g, float lr, int t) {
    const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g.cwiseProduct(g);
    const float c1 = 1 - std::pow(b1, static_cast<float>(t)), c2 = 1 - std::pow(b2, static_cast<float>(t));
    p.array() -= lr * (m.array() / c1) / ((v.array() / c2).sqrt() + eps);
  }
};

}  // namespace

std::string TrainOptions::key(const std::string& train_images) const {
  std::string h;
  for (int n : hidden) h += fmt::format("{}x", n);
  return fmt::format("mlp-h{}-e{}-b{}-lr{:g}-s{}|{}", h, epochs, batch, learning_rate, seed, train_images);
}

Mlp train_mlp(const IdxDataset& train, const TrainOptions& opt, const std::function<void(int, double)>& progress) {
  const int n_in = train.features(), n_out = train.classes;
  std::vector<int> widths{n_in};
  widths.insert(widths.end(), opt.hidden.begin(), opt.hidden.end());
  widths.push_back(n_out);
  const std::size_t L = widths.size() - 1;
  PortableRandom rng(opt.seed);
  std::vector<Mat> W(L), B(L);
  std::vector<AdamState> aw(L), ab(L);
  for (std::size_t l = 0; l < L; ++l) {
    W[l].resize(widths[l + 1], widths[l]);
    const float scale = std::sqrt(2.0f / static_cast<float>(widths[l]));  // He normal
    for (Eigen::Index c = 0; c < W[l].cols(); ++c)
      for (Eigen::Index r = 0; r < W[l].rows(); ++r) W[l](r, c) = scale * static_cast<float>(rng.normal());
    B[l] = Mat::Zero(widths[l + 1], 1);
    aw[l].init(W[l].rows(), W[l].cols());
    ab[l].init(B[l].rows(), 1);
  }
  const Eigen::Map<const Mat> X(train.pixels.data(), n_in, train.count);
  std::vector<int> order(static_cast<std::size_t>(train.count));
  int t = 0;
  for (int epoch = 1; epoch <= opt.epochs; ++epoch) {
    std::iota(order.begin(), order.end(), 0);
    for (std::size_t k = order.size(); k > 1; --k)  // Fisher-Yates with our own draw
      std::swap(order[k - 1], order[static_cast<std::size_t>(rng.uniform() * static_cast<double>(k))]);
    double loss_sum = 0;
    for (int start = 0; start < train.count; start += opt.batch) {
      const int nb = std::min(opt.batch, train.count - start);
      std::vector<Mat> A(L + 1);
      A[0].resize(n_in, nb);
      for (int k = 0; k < nb; ++k) A[0].col(k) = X.col(order[static_cast<std::size_t>(start + k)]);
      for (std::size_t l = 0; l < L; ++l) {
        A[l + 1] = (W[l] * A[l]).colwise() + B[l].col(0);
        if (l + 1 < L) A[l + 1] = A[l + 1].cwiseMax(0.0f);
      }
      // Softmax cross-entropy: dLoss/dlogits = (softmax - onehot) / nb.
      Mat D = A[L];
      for (int k = 0; k < nb; ++k) {
        const float mx = D.col(k).maxCoeff();
        D.col(k) = (D.col(k).array() - mx).exp().matrix();
        const float s = D.col(k).sum();
        D.col(k) /= s;
        const int y = train.labels[static_cast<std::size_t>(order[static_cast<std::size_t>(start + k)])];
        loss_sum -= std::log(std::max(D(y, k), 1e-30f));
        D(y, k) -= 1.0f;
      }
      D /= static_cast<float>(nb);
      ++t;
      for (std::size_t l = L; l-- > 0;) {
        const Mat gW = D * A[l].transpose();
        const Mat gB = D.rowwise().sum();
        if (l > 0) D = (W[l].transpose() * D).cwiseProduct((A[l].array() > 0.0f).cast<float>().matrix());
        aw[l].step(W[l], gW, static_cast<float>(opt.learning_rate), t);
        ab[l].step(B[l], gB, static_cast<float>(opt.learning_rate), t);
      }
    }
    if (progress) progress(epoch, loss_sum / train.count);
  }
  Mlp net;
  for (std::size_t l = 0; l < L; ++l) {
    DenseLayer d;
    d.in = widths[l], d.out = widths[l + 1], d.relu = l + 1 < L;
    d.w.resize(static_cast<std::size_t>(d.in) * d.out);
    for (int o = 0; o < d.out; ++o)
      for (int i = 0; i < d.in; ++i) d.w[static_cast<std::size_t>(o) * d.in + i] = W[l](o, i);
    d.b.assign(B[l].data(), B[l].data() + d.out);
    net.layers.push_back(std::move(d));
  }
  return net;
}

std::vector<int> predict(const Mlp& net, const IdxDataset& data) {
  Mat A = Eigen::Map<const Mat>(data.pixels.data(), data.features(), data.count);
  for (const auto& l : net.layers) {
    const RowMap W(l.w.data(), l.out, l.in);
    const Eigen::Map<const Vec> b(l.b.data(), l.out);
    Mat Z = (W * A).colwise() + b;
    A = l.relu ? Mat(Z.cwiseMax(0.0f)) : Z;
  }
  std::vector<int> out(static_cast<std::size_t>(data.count));
  for (int k = 0; k < data.count; ++k) A.col(k).maxCoeff(&out[static_cast<std::size_t>(k)]);
  return out;
}

double accuracy(const std::vector<int>& predicted, const IdxDataset& data) {
  std::size_t right = 0;
  for (std::size_t k = 0; k < predicted.size(); ++k) right += predicted[k] == data.labels[k];
  return predicted.empty() ? 0.0 : static_cast<double>(right) / static_cast<double>(predicted.size());
}

void save_mlp(const Mlp& net, const std::string& path) {
  std::string s = "xbar-mlp 1\n";
  auto row = [&s](const float* v, int n) {
    for (int k = 0; k < n; ++k) {
      if (k) s += ",";
      s += fmt::format("{:.9g}", v[k]);
    }
    s += '\n';
  };
  for (const auto& l : net.layers) {
    s += fmt::format("layer {} {} {}\n", l.in, l.out, l.relu ? "relu" : "linear");
    for (int o = 0; o < l.out; ++o) row(&l.w[static_cast<std::size_t>(o) * l.in], l.in);
    row(l.b.data(), l.out);
  }
  s += "end\n";
  write_file_atomically(path, s);
}

namespace {

// A line-by-line reader of the xbar-mlp text that knows where it is.
class MlpText {
 public:
  MlpText(std::string path, std::string text) : path_(std::move(path)), text_(std::move(text)) {}
  bool next(std::string_view& line) {
    if (at_ >= text_.size()) return false;
    std::size_t end = text_.find('\n', at_);
    if (end == std::string::npos) end = text_.size();
    line = std::string_view(text_).substr(at_, end - at_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    at_ = end + 1;
    ++line_no_;
    return true;
  }
  [[noreturn]] void fail(int col, const std::string& what) const {
    throw InputError(SourcePos{path_, line_no_, col}, what);
  }
  std::string_view need(const char* what) {
    std::string_view l;
    if (!next(l)) fail(0, fmt::format("the file ends where {} should follow", what));
    return l;
  }
  // `n` comma-separated finite numbers.
  void numbers(std::string_view l, int n, float* out) {
    std::size_t p = 0;
    for (int k = 0; k < n; ++k) {
      if (k) {
        if (p >= l.size() || l[p] != ',')
          fail(static_cast<int>(p) + 1, fmt::format("expected {} values, found {}", n, k));
        ++p;
      }
      float v = 0;
      const auto r = std::from_chars(l.data() + p, l.data() + l.size(), v);
      if (r.ec != std::errc() || !std::isfinite(v)) fail(static_cast<int>(p) + 1, "not a finite number");
      out[k] = v;
      p = static_cast<std::size_t>(r.ptr - l.data());
    }
    if (p != l.size()) fail(static_cast<int>(p) + 1, fmt::format("more than {} values on this line", n));
  }

 private:
  std::string path_, text_;
  std::size_t at_ = 0;
  int line_no_ = 0;
};

constexpr int kMaxWidth = 65536;
constexpr std::uintmax_t kMaxMlpBytes = 512u << 20;

}  // namespace

Mlp load_mlp(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw InputError(SourcePos{path, 0, 0}, "cannot read the network file: " + ec.message());
  if (size > kMaxMlpBytes) throw InputError(SourcePos{path, 0, 0}, "the network file is larger than 512 MiB");
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  MlpText t(path, ss.str());
  if (t.need("the header") != "xbar-mlp 1") t.fail(1, "not an xbar-mlp file (the first line must be `xbar-mlp 1`)");
  Mlp net;
  for (;;) {
    const std::string_view l = t.need("`layer IN OUT relu|linear` or `end`");
    if (l == "end") break;
    DenseLayer d;
    char act[16] = {};
    std::string head(l);
    int consumed = 0;
    if (std::sscanf(head.c_str(), "layer %d %d %15s%n", &d.in, &d.out, act, &consumed) != 3 ||
        consumed != static_cast<int>(head.size()))
      t.fail(1, "expected `layer IN OUT relu|linear` or `end`");
    if (d.in < 1 || d.in > kMaxWidth || d.out < 1 || d.out > kMaxWidth)
      t.fail(7, fmt::format("layer sizes must be 1 .. {}", kMaxWidth));
    if (!net.layers.empty() && d.in != net.layers.back().out)
      t.fail(7, fmt::format("this layer takes {} inputs but the previous one gives {}", d.in, net.layers.back().out));
    const std::string a = act;
    if (a != "relu" && a != "linear") t.fail(1, "the activation must be relu or linear");
    d.relu = a == "relu";
    if (static_cast<std::uintmax_t>(d.in) * d.out * 2 > size) t.fail(7, "the file is too short for this layer");
    d.w.resize(static_cast<std::size_t>(d.in) * d.out);
    d.b.resize(static_cast<std::size_t>(d.out));
    for (int o = 0; o < d.out; ++o) t.numbers(t.need("a weight row"), d.in, &d.w[static_cast<std::size_t>(o) * d.in]);
    t.numbers(t.need("the bias row"), d.out, d.b.data());
    net.layers.push_back(std::move(d));
  }
  if (net.layers.empty()) t.fail(1, "the network has no layer");
  if (net.layers.back().relu) t.fail(1, "the last layer must be linear (its outputs are the class scores)");
  return net;
}

Mlp load_mlp_csv(const std::vector<CsvLayerFiles>& files) {
  Mlp net;
  Diagnostics diags;
  for (std::size_t k = 0; k < files.size(); ++k) {
    CsvReadOptions wo;
    wo.label = "weights file";
    const NumericTable w = read_numeric_csv(files[k].weights, wo, diags);
    CsvReadOptions bo;
    bo.label = "bias file";
    const NumericTable b = read_numeric_csv(files[k].bias, bo, diags);
    if (!diags.empty()) continue;
    DenseLayer d;
    d.out = static_cast<int>(w.rows.size());
    d.in = static_cast<int>(w.rows.front().size());
    d.relu = k + 1 < files.size();
    std::vector<double> bias;
    for (const auto& r : b.rows) bias.insert(bias.end(), r.begin(), r.end());
    if (static_cast<int>(bias.size()) != d.out)
      diags.error(SourcePos{files[k].bias, 1, 1},
                  fmt::format("{} biases for the {} outputs (lines) of {}", bias.size(), d.out, files[k].weights));
    if (!net.layers.empty() && net.layers.back().out != d.in)
      diags.error(SourcePos{files[k].weights, 1, 1},
                  fmt::format("{} inputs (values per line) but the previous layer has {} outputs", d.in,
                              net.layers.back().out));
    for (const auto& r : w.rows)
      for (double v : r) d.w.push_back(static_cast<float>(v));
    for (double v : bias) d.b.push_back(static_cast<float>(v));
    net.layers.push_back(std::move(d));
  }
  if (!diags.empty()) throw InputError(diags);
  return net;
}

}  // namespace xbar
