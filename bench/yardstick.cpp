// The hand-written fixed-size Eigen networks (yardstick.hpp) in the benchmark.
#include "yardstick.hpp"

#include "eigen_data.hpp"
#include "workloads.hpp"

namespace {

template <class Net, int In, int Out>
struct Runner {
  std::unique_ptr<Net> net = std::make_unique<Net>();
  bench::EigenData<In, Out> data;
  std::unique_ptr<typename Net::template Cache<bench::kTrainBatch>> cache =
      std::make_unique<typename Net::template Cache<bench::kTrainBatch>>();

  explicit Runner(char name) : data(name) { net->load(bench::weights(name)); }

  void w1(int i) {
    auto y = net->infer(data.ring.col(i));
    benchmark::DoNotOptimize(y);
  }
  float w1_dep(int i, float c) {
    Eigen::Matrix<float, In, 1> x = data.ring.col(i);
    x(0) += c;
    return net->infer(x)(0);
  }
  void w2() {
    auto y = net->infer(data.batch);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  float w3() { return net->step(data.x, data.t, *cache); }

  std::vector<float> outputs(bench::Workload w) {
    switch (w) {
      case bench::Workload::W1: {
        std::vector<float> v;
        for (int i = 0; i < bench::kRing; ++i) {
          auto y = bench::as_vector(net->infer(data.ring.col(i)));
          v.insert(v.end(), y.begin(), y.end());
        }
        return v;
      }
      case bench::Workload::W2: return bench::as_vector(net->infer(data.batch));
      case bench::Workload::W3: return bench::train_outputs(*this, [&] { return bench::as_vector(net->infer(data.x)); });
    }
    return {};
  }
};

}  // namespace

void register_yardstick() {
  using namespace yardstick;
  bench::register_runner<Runner<NetA, 8, 1>>("eigen", 'A');
  bench::register_runner<Runner<NetB, 1, 1>>("eigen", 'B');
  bench::register_runner<Runner<NetC, 64, 1>>("eigen", 'C');
  bench::register_runner<Runner<NetD, 16, 4>>("eigen", 'D');
  bench::register_runner<Runner<NetE, 1024, 1024>>("eigen", 'E');
}
