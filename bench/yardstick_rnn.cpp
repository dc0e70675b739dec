// The hand-written yardsticks of issue 13: single-sample GRU and LSTM steps (input 1, then
// Linear(H, 1)), sequence training with hand-written backpropagation through time, and a
// stack of dilated causal Conv1d layers with residual sums streamed in blocks with ring
// buffers. Fixed-size Eigen everywhere; nothing allocates after construction. PyTorch's
// equations and gate orders (GRU: r, z, n with b_hn inside r's product; LSTM: i, f, g, o).
#include <array>
#include <memory>

#include "workloads_nn.hpp"
#include "yardstick_nn.hpp"

namespace {

using namespace yardstick;
using namespace yardstick::nn;
using bench::nn::params;

template <class X>
auto sigmoid(const X& x) {
  return (1.0f + (-x).exp()).inverse();
}

// ---- one-sample streaming steps --------------------------------------------------------------
/// GRU(1, H) then Linear(H, 1). Input-side terms of one feature are one column times x; the
/// biases that are plain sums (r, z) are added together once at load.
template <int H>
struct GruStep {
  Eigen::Matrix<float, 3 * H, 1> wi, bias;     // bias: b_ih + b_hh for r and z, b_ih for n
  Eigen::Matrix<float, 3 * H, H> whh;
  Eigen::Matrix<float, H, 1> bhn, wl, h = Eigen::Matrix<float, H, 1>::Zero();
  float bl;

  explicit GruStep(const std::string& model) {
    const auto& p = params(model);
    std::memcpy(wi.data(), p[0].v.data(), sizeof(float) * 3 * H);
    for (int r = 0; r < 3 * H; ++r)
      for (int c = 0; c < H; ++c) whh(r, c) = p[1].v[std::size_t(r) * H + c];
    for (int r = 0; r < 3 * H; ++r) bias(r) = p[2].v[r] + (r < 2 * H ? p[3].v[r] : 0.0f);
    for (int r = 0; r < H; ++r) bhn(r) = p[3].v[2 * H + r];
    std::memcpy(wl.data(), p[4].v.data(), sizeof(float) * H);
    bl = p[5].v[0];
  }
  float step(float x) {
    // W_hh h, column by column: 3H/8 independent accumulators, h broadcast once per column
    Eigen::Matrix<float, 3 * H, 1> g = whh.col(0) * h(0);
    for (int j = 1; j < H; ++j) g += whh.col(j) * h(j);
    const Eigen::Matrix<float, 2 * H, 1> rz = sigmoid((wi.template head<2 * H>() * x + bias.template head<2 * H>() +
                                                       g.template head<2 * H>()).array()).matrix();
    const Eigen::Matrix<float, H, 1> n =
        (wi.template tail<H>() * x + bias.template tail<H>() +
         rz.template head<H>().cwiseProduct(g.template tail<H>() + bhn)).array().tanh().matrix();
    h = n + rz.template tail<H>().cwiseProduct(h - n);
    return wl.dot(h) + bl;
  }
};

/// LSTM(1, H) then Linear(H, 1).
template <int H>
struct LstmStep {
  Eigen::Matrix<float, 4 * H, 1> wi, bias;  // b_ih + b_hh
  Eigen::Matrix<float, 4 * H, H> whh;
  Eigen::Matrix<float, H, 1> wl, h = Eigen::Matrix<float, H, 1>::Zero(), c = h;
  float bl;

  explicit LstmStep(const std::string& model) {
    const auto& p = params(model);
    std::memcpy(wi.data(), p[0].v.data(), sizeof(float) * 4 * H);
    for (int r = 0; r < 4 * H; ++r)
      for (int k = 0; k < H; ++k) whh(r, k) = p[1].v[std::size_t(r) * H + k];
    for (int r = 0; r < 4 * H; ++r) bias(r) = p[2].v[r] + p[3].v[r];
    std::memcpy(wl.data(), p[4].v.data(), sizeof(float) * H);
    bl = p[5].v[0];
  }
  float step(float x) {
    Eigen::Matrix<float, 4 * H, 1> a = wi * x + bias;
    for (int j = 0; j < H; ++j) a += whh.col(j) * h(j);
    const auto i = sigmoid(a.template segment<H>(0).array());
    const auto f = sigmoid(a.template segment<H>(H).array());
    const auto g = a.template segment<H>(2 * H).array().tanh();
    const auto o = sigmoid(a.template segment<H>(3 * H).array());
    c = (f * c.array() + i * g).matrix();
    h = (o * c.array().tanh()).matrix();
    return wl.dot(h) + bl;
  }
};

template <class Net>
struct StreamRunner {
  std::unique_ptr<Net> net;
  std::vector<float> x = bench::nn::uniform("stream.x", bench::nn::kStreamRing);
  explicit StreamRunner(const std::string& model) : net(std::make_unique<Net>(model)) {}
  void step(int i) { benchmark::DoNotOptimize(net->step(x[i])); }
  std::vector<float> outputs() {
    std::vector<float> v;
    for (int i = 0; i < bench::nn::kStreamCheck; ++i) v.push_back(net->step(x[i]));
    return v;
  }
};

// ---- sequence training: B 16, T 32, input 8, hidden 64, Linear(64, 1) at every step, MSE -----
constexpr int B = bench::nn::kSeqBatch, T = bench::nn::kSeqT, I = bench::nn::kSeqIn, H = bench::nn::kSeqHidden;

/// The sequences in the order the recursion reads them: step t of every sample, (I, B) blocks.
struct SeqData {
  std::vector<Eigen::Matrix<float, I, B>> x = std::vector<Eigen::Matrix<float, I, B>>(T);
  std::vector<Eigen::Matrix<float, 1, B>> t = std::vector<Eigen::Matrix<float, 1, B>>(T);
  SeqData() {
    const auto xs = bench::nn::uniform("seq.x", std::size_t(B) * T * I), ts = bench::nn::uniform("seq.t", std::size_t(B) * T);
    for (int s = 0; s < T; ++s)
      for (int j = 0; j < B; ++j) {
        for (int i = 0; i < I; ++i) x[s](i, j) = xs[(std::size_t(j) * T + s) * I + i];
        t[s](0, j) = ts[std::size_t(j) * T + s];
      }
  }
};

template <int G>
struct RnnParams {
  Param<G * H, I> wih;
  Param<G * H, H> whh;
  Param<G * H, 1> bih, bhh;
  Param<1, H> wl;
  Param<1, 1> bl;
  AdamClock clock;
  explicit RnnParams(const std::string& model) {
    const auto& p = params(model);
    wih.load_transposed_bytes(p[0]), whh.load_transposed_bytes(p[1]);
    bih.load_same_bytes(p[2]), bhh.load_same_bytes(p[3]), wl.load_same_bytes(p[4]), bl.load_same_bytes(p[5]);
  }
  void adam() {
    ++clock.t;
    wih.adam(clock), whh.adam(clock), bih.adam(clock), bhh.adam(clock), wl.adam(clock), bl.adam(clock);
  }
};

using HB = Eigen::Matrix<float, H, B>;

struct GruSeq : RnnParams<3> {
  using G3 = Eigen::Matrix<float, 3 * H, B>;
  std::vector<HB> h = std::vector<HB>(T + 1), r = std::vector<HB>(T), z = r, n = r, ghn = r;
  std::vector<Eigen::Matrix<float, 1, B>> dy = std::vector<Eigen::Matrix<float, 1, B>>(T);
  using RnnParams<3>::RnnParams;

  float step(const SeqData& d) {
    h[0].setZero();
    float loss = 0.0f;
    G3 gi, gh;
    for (int s = 0; s < T; ++s) {
      gi.noalias() = wih.w * d.x[s];
      gi.colwise() += bih.w;
      gh.noalias() = whh.w * h[s];
      gh.colwise() += bhh.w;
      r[s] = sigmoid((gi.topRows<H>() + gh.topRows<H>()).array()).matrix();
      z[s] = sigmoid((gi.middleRows<H>(H) + gh.middleRows<H>(H)).array()).matrix();
      ghn[s] = gh.bottomRows<H>();
      n[s] = (gi.bottomRows<H>() + r[s].cwiseProduct(ghn[s])).array().tanh().matrix();
      h[s + 1] = n[s] + z[s].cwiseProduct(h[s] - n[s]);
      dy[s].noalias() = wl.w * h[s + 1];
      dy[s].array() += bl.w(0) - d.t[s].array();
      loss += dy[s].squaredNorm();
    }
    const float count = float(T) * B;
    HB dh = HB::Zero(), dn, dz;
    G3 dg;
    for (int s = T - 1; s >= 0; --s) {
      dy[s] *= 2.0f / count;
      wl.g.noalias() += dy[s] * h[s + 1].transpose();
      bl.g(0) += dy[s].sum();
      dh.noalias() += wl.w.transpose() * dy[s];
      dn = dh.cwiseProduct(HB::Ones() - z[s]);
      dz = dh.cwiseProduct(h[s] - n[s]);
      dg.bottomRows<H>() = dn.array() * (1.0f - n[s].array().square());  // d(pre-tanh)
      dg.topRows<H>() = dg.bottomRows<H>().cwiseProduct(ghn[s]).array() * r[s].array() * (1.0f - r[s].array());
      dg.middleRows<H>(H) = dz.array() * z[s].array() * (1.0f - z[s].array());
      // input side: [dr, dz, dn]; hidden side: the same with dn multiplied by r
      wih.g.noalias() += dg * d.x[s].transpose();
      bih.g += dg.rowwise().sum();
      dg.bottomRows<H>() = dg.bottomRows<H>().cwiseProduct(r[s]);
      whh.g.noalias() += dg * h[s].transpose();
      bhh.g += dg.rowwise().sum();
      dh = dh.cwiseProduct(z[s]);
      dh.noalias() += whh.w.transpose() * dg;
    }
    adam();
    return loss / count;
  }
};

struct LstmSeq : RnnParams<4> {
  using G4 = Eigen::Matrix<float, 4 * H, B>;
  std::vector<HB> h = std::vector<HB>(T + 1), c = h, tc = std::vector<HB>(T);
  std::vector<G4> gates = std::vector<G4>(T);  // i, f, g, o after their activations
  std::vector<Eigen::Matrix<float, 1, B>> dy = std::vector<Eigen::Matrix<float, 1, B>>(T);
  using RnnParams<4>::RnnParams;

  float step(const SeqData& d) {
    h[0].setZero(), c[0].setZero();
    float loss = 0.0f;
    const Eigen::Matrix<float, 4 * H, 1> bias = bih.w + bhh.w;
    for (int s = 0; s < T; ++s) {
      G4& a = gates[s];
      a.noalias() = wih.w * d.x[s];
      a.noalias() += whh.w * h[s];
      a.colwise() += bias;
      a.topRows<2 * H>() = sigmoid(a.topRows<2 * H>().array()).matrix();
      a.middleRows<H>(2 * H) = a.middleRows<H>(2 * H).array().tanh().matrix();
      a.bottomRows<H>() = sigmoid(a.bottomRows<H>().array()).matrix();
      c[s + 1] = a.middleRows<H>(H).cwiseProduct(c[s]) + a.topRows<H>().cwiseProduct(a.middleRows<H>(2 * H));
      tc[s] = c[s + 1].array().tanh().matrix();
      h[s + 1] = a.bottomRows<H>().cwiseProduct(tc[s]);
      dy[s].noalias() = wl.w * h[s + 1];
      dy[s].array() += bl.w(0) - d.t[s].array();
      loss += dy[s].squaredNorm();
    }
    const float count = float(T) * B;
    HB dh = HB::Zero(), dc = HB::Zero();
    G4 da;
    for (int s = T - 1; s >= 0; --s) {
      const G4& a = gates[s];
      const auto i = a.topRows<H>().array(), f = a.middleRows<H>(H).array(), g = a.middleRows<H>(2 * H).array(),
                 o = a.bottomRows<H>().array();
      dy[s] *= 2.0f / count;
      wl.g.noalias() += dy[s] * h[s + 1].transpose();
      bl.g(0) += dy[s].sum();
      dh.noalias() += wl.w.transpose() * dy[s];
      dc.array() += dh.array() * o * (1.0f - tc[s].array().square());
      da.topRows<H>() = (dc.array() * g * i * (1.0f - i)).matrix();
      da.middleRows<H>(H) = (dc.array() * c[s].array() * f * (1.0f - f)).matrix();
      da.middleRows<H>(2 * H) = (dc.array() * i * (1.0f - g.square())).matrix();
      da.bottomRows<H>() = (dh.array() * tc[s].array() * o * (1.0f - o)).matrix();
      dc.array() *= f;
      wih.g.noalias() += da * d.x[s].transpose();
      whh.g.noalias() += da * h[s].transpose();
      bih.g += da.rowwise().sum();
      dh.noalias() = whh.w.transpose() * da;
    }
    bhh.g = bih.g;
    adam();
    return loss / count;
  }
};

template <class Net>
struct SeqRunner {
  std::unique_ptr<Net> net;
  std::unique_ptr<SeqData> data = std::make_unique<SeqData>();
  explicit SeqRunner(const std::string& model) : net(std::make_unique<Net>(model)) {}
  float w3() { return net->step(*data); }
};

// ---- the dilated causal Conv1d stack, streamed in blocks of 64 --------------------------------
constexpr int C = bench::nn::kTcnChannels, N = bench::nn::kTcnBlock;
using Block = Eigen::Matrix<float, C, N>;

/// One causal Conv1d(16, 16, 3, dilation d) inside a residual sum: y_t = x_t + b +
/// sum_k W_k x_{t - (2 - k) d}. Its state is the last 2d inputs, in a buffer of 2d + 64
/// columns: for d < 64 the history is moved to the front after each block (at most 64
/// columns); for d >= 64 (a multiple of 64) the buffer is a ring whose blocks start at
/// multiples of 64, so no tap's 64 columns ever wrap around.
struct CausalLayer {
  int d;
  std::array<Eigen::Matrix<float, C, C>, 3> w;
  Eigen::Matrix<float, C, 1> b;
  Eigen::Matrix<float, C, Eigen::Dynamic> buf;
  int pos = 0;

  CausalLayer(int dilation, const bench::nn::Tensor& wt, const bench::nn::Tensor& bt)
      : d(dilation), buf(Eigen::Matrix<float, C, Eigen::Dynamic>::Zero(C, 2 * dilation + N)) {
    for (int k = 0; k < 3; ++k)
      for (int o = 0; o < C; ++o)
        for (int i = 0; i < C; ++i) w[k](o, i) = wt.v[(std::size_t(o) * C + i) * 3 + k];
    std::memcpy(b.data(), bt.v.data(), sizeof(float) * C);
  }
  Eigen::Map<const Block> cols(int at) const { return Eigen::Map<const Block>(buf.data() + std::size_t(at) * C); }

  void block(Block& x) {  // in place: x becomes x + conv(x)
    const int r = int(buf.cols()), at = d < N ? 2 * d : pos;
    Eigen::Map<Block>(buf.data() + std::size_t(at) * C) = x;
    x.colwise() += b;
    for (int k = 0; k < 3; ++k) x.noalias() += w[k] * cols((at - (2 - k) * d + r) % r);
    if (d < N) {
      buf.leftCols(2 * d) = buf.middleCols(N, 2 * d);  // the last 2d inputs to the front (no overlap: 2d <= 64)
    } else {
      pos = (pos + N) % r;
    }
  }
};

struct Tcn {
  std::vector<CausalLayer> layers;
  explicit Tcn(const std::string& model) {
    const auto& p = params(model);
    for (int l = 0; l < bench::nn::kTcnLayers; ++l) layers.emplace_back(bench::nn::tcn_dilation(l), p[2 * l], p[2 * l + 1]);
  }
  void block(Block& x) {
    for (auto& l : layers) l.block(x);
  }
};

struct TcnRunner {
  std::unique_ptr<Tcn> net;
  std::vector<float> x = bench::nn::uniform("TCN.x", std::size_t(C) * N * bench::nn::kTcnBlocks);
  Block y;
  explicit TcnRunner(const std::string& model) : net(std::make_unique<Tcn>(model)) {}
  void step(int i) {
    y = Eigen::Map<const Block>(x.data() + std::size_t(i) * C * N);
    net->block(y);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  std::vector<float> outputs() {
    std::vector<float> v;
    for (int i = 0; i < bench::nn::kTcnBlocks; ++i) {
      step(i);
      v.insert(v.end(), y.data(), y.data() + y.size());
    }
    return v;
  }
};

}  // namespace

void register_yardstick_rnn() {
  using bench::nn::register_stream;
  register_stream<StreamRunner<GruStep<8>>>("eigen", "GRU8", "step", bench::nn::kStreamRing, 1);
  register_stream<StreamRunner<GruStep<16>>>("eigen", "GRU16", "step", bench::nn::kStreamRing, 1);
  register_stream<StreamRunner<GruStep<32>>>("eigen", "GRU32", "step", bench::nn::kStreamRing, 1);
  register_stream<StreamRunner<GruStep<64>>>("eigen", "GRU64", "step", bench::nn::kStreamRing, 1);
  register_stream<StreamRunner<LstmStep<8>>>("eigen", "LSTM8", "step", bench::nn::kStreamRing, 1);
  register_stream<StreamRunner<LstmStep<16>>>("eigen", "LSTM16", "step", bench::nn::kStreamRing, 1);
  register_stream<StreamRunner<LstmStep<32>>>("eigen", "LSTM32", "step", bench::nn::kStreamRing, 1);
  register_stream<StreamRunner<LstmStep<64>>>("eigen", "LSTM64", "step", bench::nn::kStreamRing, 1);
  bench::nn::register_seq<SeqRunner<GruSeq>>("eigen", "GRUseq");
  bench::nn::register_seq<SeqRunner<LstmSeq>>("eigen", "LSTMseq");
  register_stream<TcnRunner>("eigen", "TCN", "block64", bench::nn::kTcnBlocks, bench::nn::kTcnBlock);
}
