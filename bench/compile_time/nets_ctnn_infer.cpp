// Compile-time benchmark: networks A-D in ctnn, inference only (one sample and a batch of 64),
// through the inference header. Compiled by bench/compile_time.sh beside nets_eigen_infer.cpp,
// the same work with the hand-written yardstick. Target (issue 11): at most 1.2x that one.
#include <ctnn/inference.hpp>
#include <utility>

namespace {
using NetA = ctnn::Sequential<ctnn::Linear<8, 128>, ctnn::ReLU, ctnn::Linear<128, 128>, ctnn::ReLU, ctnn::Linear<128, 1>>;
using NetB = ctnn::Sequential<ctnn::Linear<1, 8>, ctnn::Tanh, ctnn::Linear<8, 8>, ctnn::Tanh, ctnn::Linear<8, 1>>;
using NetC = ctnn::Sequential<ctnn::Linear<64, 8>, ctnn::ReLU, ctnn::Linear<8, 1>>;
using NetD = ctnn::Sequential<ctnn::Linear<16, 64>, ctnn::Tanh, ctnn::Linear<64, 64>, ctnn::Tanh,
                              ctnn::Linear<64, 64>, ctnn::Tanh, ctnn::Linear<64, 4>>;

template <class Net>
float exercise() {
  static Net net;  // as a program holding its model: not on the stack
  ctnn::Sample<float, Net::in_features> x = ctnn::Sample<float, Net::in_features>::Ones();
  ctnn::Batch<float, Net::in_features, 64> xb = ctnn::Batch<float, Net::in_features, 64>::Ones();
  return std::as_const(net).infer(x)(0) + std::as_const(net).infer(xb)(0, 63);
}
}  // namespace

int main() { return exercise<NetA>() + exercise<NetB>() + exercise<NetC>() + exercise<NetD>() > 1e30f; }
