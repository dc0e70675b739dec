// Fashion-MNIST, real images: a small CNN (two Conv2d + BatchNorm2d + ReLU + MaxPool2d stages
// of 16 and 32 channels, Flatten, Linear) learns the 10 classes of Zalando's 28x28 grey article images from the 60,000
// training images, with Adam, a cosine learning-rate schedule and shuffled mini-batches, and is
// tested on the 10,000 test images. A progress bar per epoch (samples/s, loss, accuracy) goes
// to stderr; the result to stdout. Returns non-zero when the test accuracy is below
// --min-accuracy (90% by default), 77 when the data is missing (not under CI).
//
// The data: Debian's dataset-fashion-mnist (gzipped IDX files in /usr/share/datasets/
// fashion-mnist), read with zlib (examples/support/idx.hpp). examples/fashion_mnist.py is the
// same network in PyTorch, started from the same weights (--save-init writes them) and fed the
// same batches in the same order (both shuffle with splitmix64); docs/performance.md has both
// wall times. Options: --help.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <filesystem>
#include <iostream>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>  // isatty

#include <ctnn/ctnn.hpp>

#include "support/idx.hpp"

namespace {

// --8<-- [start:model]
using Net = ctnn::with_input<ctnn::Sequential<                  // nn.Sequential(
    ctnn::Conv2d<1, 16, 3, ctnn::ConvOptions{.padding = 1}>,    //     nn.Conv2d(1, 16, 3, padding=1),
    ctnn::BatchNorm2d<16>,                                      //     nn.BatchNorm2d(16),
    ctnn::ReLU,                                                 //     nn.ReLU(),
    ctnn::MaxPool2d<2>,                                         //     nn.MaxPool2d(2),
    ctnn::Conv2d<16, 32, 3, ctnn::ConvOptions{.padding = 1}>,   //     nn.Conv2d(16, 32, 3, padding=1),
    ctnn::BatchNorm2d<32>,                                      //     nn.BatchNorm2d(32),
    ctnn::ReLU,                                                 //     nn.ReLU(),
    ctnn::MaxPool2d<2>,                                         //     nn.MaxPool2d(2),
    ctnn::Flatten,                                              //     nn.Flatten(),
    ctnn::Linear<ctnn::any, 10>>,                               //     nn.Linear(32 * 7 * 7, 10))
  1, 28, 28>;                                                   // a sample: (1, 28, 28)

// The shapes, checked by the compiler: what reaches each layer, and what leaves the last.
static_assert(Net::child_input_shapes[0] == ctnn::shape_of<1, 28, 28>);
static_assert(Net::child_input_shapes[4] == ctnn::shape_of<16, 14, 14>);  // after the first MaxPool2d
static_assert(Net::child_input_shapes[8] == ctnn::shape_of<32, 7, 7>);    // into Flatten
static_assert(Net::child_input_shapes[9] == ctnn::shape_of<1568>);        // Linear<any, 10> is Linear<1568, 10>
static_assert(Net::out_shape == ctnn::shape_of<10>);
// --8<-- [end:model]

constexpr int pixels = 28 * 28;
constexpr int B = 64;          // samples per mini-batch; a last partial batch is dropped
constexpr int test_batch = 100;
// The training images' pixel mean and standard deviation (in [0, 1]): inputs are standardised.
constexpr float pixel_mean = 0.2860f, pixel_std = 0.3530f;

struct Options {
  std::string data = "/usr/share/datasets/fashion-mnist";
  int epochs = 3;
  double lr = 3e-3;
  std::uint64_t seed = 1;
  long train_subset = 60000, test_subset = 10000;
  double time_budget = 0;  // seconds of training, 0: no limit
  double min_accuracy = 90;
  std::string save_init;
};

const char* usage =
    "usage: fashion_mnist [options]\n"
    "  --data DIR           the gzipped IDX files (default /usr/share/datasets/fashion-mnist,\n"
    "                       Debian's dataset-fashion-mnist)\n"
    "  --epochs N           passes over the training images (default 3)\n"
    "  --lr X               Adam's initial learning rate, cosine-annealed to 0 (default 3e-3)\n"
    "  --seed N             of the initial weights and of the shuffle (default 1)\n"
    "  --train-subset N     train on the first N training images (default 60000)\n"
    "  --test-subset N      test on the first N test images (default 10000)\n"
    "  --time-budget S      stop training after S seconds (default 0: no limit)\n"
    "  --min-accuracy P     exit status 1 when the test accuracy is below P% (default 90)\n"
    "  --save-init FILE     write the initial weights (safetensors) for fashion_mnist.py --init\n";

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--help" || a == "-h") return false;
    if (i + 1 >= argc) {
      std::fprintf(stderr, "fashion_mnist: %s needs a value\n", argv[i]);
      return false;
    }
    const char* v = argv[++i];
    char* end = nullptr;
    if (a == "--data") o.data = v;
    else if (a == "--save-init") o.save_init = v;
    else if (a == "--epochs") o.epochs = static_cast<int>(std::strtol(v, &end, 10));
    else if (a == "--seed") o.seed = std::strtoull(v, &end, 10);
    else if (a == "--train-subset") o.train_subset = std::strtol(v, &end, 10);
    else if (a == "--test-subset") o.test_subset = std::strtol(v, &end, 10);
    else if (a == "--lr") o.lr = std::strtod(v, &end);
    else if (a == "--time-budget") o.time_budget = std::strtod(v, &end);
    else if (a == "--min-accuracy") o.min_accuracy = std::strtod(v, &end);
    else {
      std::fprintf(stderr, "fashion_mnist: unknown option %s\n", argv[i - 1]);
      return false;
    }
    if (end != nullptr && (end == v || *end != '\0')) {
      std::fprintf(stderr, "fashion_mnist: %s takes a number, not '%s'\n", argv[i - 1], v);
      return false;
    }
  }
  if (o.epochs < 1 || o.train_subset < B || o.test_subset < 1 || !(o.lr > 0) || o.time_budget < 0) {
    std::fprintf(stderr, "fashion_mnist: --epochs, --lr and --test-subset must be positive, --train-subset at least %d\n", B);
    return false;
  }
  return true;
}

/// Images (one byte per pixel, image j in column j) and their labels, the first `limit` of a split.
struct Split {
  idx::Array images, labels;
  long n = 0;
  auto image(long j) const {
    return Eigen::Map<const Eigen::Matrix<std::uint8_t, pixels, 1>>(images.data.data() + j * pixels);
  }
  int label(long j) const { return labels.data[static_cast<std::size_t>(j)]; }
};

Split load(const std::string& dir, const char* prefix, long limit) {
  Split s;
  const std::filesystem::path d(dir);
  s.images = idx::read(d / (std::string(prefix) + "-images-idx3-ubyte.gz"), "dataset-fashion-mnist");
  s.labels = idx::read(d / (std::string(prefix) + "-labels-idx1-ubyte.gz"), "dataset-fashion-mnist");
  if (s.images.dims.size() != 3 || s.images.dims[1] != 28 || s.images.dims[2] != 28 || s.labels.dims.size() != 1 ||
      s.labels.dims[0] != s.images.dims[0])
    throw std::runtime_error(dir + ": " + prefix + "-*: expected N images of 28 x 28 and N labels");
  for (std::uint8_t y : s.labels.data)
    if (y > 9) throw std::runtime_error(dir + ": " + prefix + "-labels: a label above 9");
  s.n = std::min(limit, static_cast<long>(s.images.dims[0]));
  return s;
}

/// The network's input for image j: pixels / 255, standardised, as fashion_mnist.py computes it.
// --8<-- [start:input]
// A (1, 28, 28) sample is its 784 pixels in row-major order, as PyTorch stores it: one image
// is one column of a batch (784 x B), and the batch has the bytes of PyTorch's (B, 1, 28, 28).
template <class Col>
void put_image(const Split& s, long j, Col&& col) {
  col = ((s.image(j).cast<float>() / 255.0f).array() - pixel_mean) / pixel_std;  // (x / 255 - mean) / std
}
// --8<-- [end:input]

/// splitmix64 (Steele, Lea, Flood 2014): a tiny generator fashion_mnist.py computes bit for bit,
/// so that both programs see the same batches.
struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

/// Fisher-Yates, from the last element down, j = next() mod (i + 1).
void shuffle(std::vector<long>& order, SplitMix64& rng) {
  for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.next() % (i + 1)]);
}

template <class Logits, class Labels>
int correct(const Logits& logits, const Labels& labels, int count) {
  int right = 0;
  for (int j = 0; j < count; ++j) {
    Eigen::Index predicted;
    logits.col(j).maxCoeff(&predicted);
    right += predicted == labels(j);
  }
  return right;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

/// One line on stderr, redrawn in place on a terminal: "epoch 1/3 [=====>    ] 12800/60000 ...".
void progress(bool tty, int epoch, int epochs, long seen, long total, double secs, double loss, double acc, bool done) {
  if (!tty && !done) return;  // a log (ctest) gets one line per epoch
  constexpr int width = 30;
  const int filled = static_cast<int>(width * seen / std::max(total, 1L));
  char bar[width + 1];
  for (int i = 0; i < width; ++i) bar[i] = i < filled ? '=' : i == filled ? '>' : ' ';
  bar[width] = '\0';
  std::fprintf(stderr, "%sepoch %d/%d [%s] %6ld/%ld  %6.0f samples/s  loss %.4f  accuracy %6.2f%%  %5.1f s%s",
               tty ? "\r" : "", epoch, epochs, bar, seen, total, secs > 0 ? seen / secs : 0.0, loss, acc, secs,
               done ? "\n" : "");
  std::fflush(stderr);
}

/// Accuracy (%) of the network in eval mode on the first s.n images of s.
double test_accuracy(Net& net, const Split& s) {
  // 784 x 100 floats: above Eigen's stack limit, so ctnn::Batch keeps the columns on the heap
  ctnn::Batch<float, pixels, test_batch> x(pixels, test_batch);
  Eigen::Matrix<int, 1, test_batch> y;
  long right = 0;
  // --8<-- [start:eval]
  net.eval();                                   // net.eval(): BatchNorm2d uses its running statistics
  for (long first = 0; first < s.n; first += test_batch) {
    const int count = static_cast<int>(std::min<long>(test_batch, s.n - first));
    for (int k = 0; k < test_batch; ++k) {      // a last partial batch repeats its first image
      const long j = first + (k < count ? k : 0);
      put_image(s, j, x.col(k));
      y(k) = s.label(j);
    }
    right += correct(net.infer(x), y, count);   // with torch.no_grad(): net(x).argmax(1) == y
  }
  // --8<-- [end:eval]
  return 100.0 * static_cast<double>(right) / static_cast<double>(s.n);
}

int run(const Options& o) {
  const Split train = load(o.data, "train", o.train_subset);
  const Split test = load(o.data, "t10k", o.test_subset);
  std::printf("Fashion-MNIST: training on %ld images, testing on %ld, %d epoch%s, batches of %d\n", train.n, test.n,
              o.epochs, o.epochs == 1 ? "" : "s", B);

  // --8<-- [start:init]
  Net net;                                      // net = make_model()
  ctnn::init::reset_parameters(net, o.seed);    // PyTorch's default initialisation, seeded
  if (!o.save_init.empty())                     // for fashion_mnist.py, which loads them with
    ctnn::save_safetensors(net, o.save_init);   // net.load_state_dict(load_file(path), strict=True)
  std::cout << net << "\n";                     // print(net): PyTorch's text
  // --8<-- [end:init]
  if (!o.save_init.empty()) std::printf("initial weights written to %s\n", o.save_init.c_str());

  const long steps_per_epoch = train.n / B;
  // --8<-- [start:setup]
  ctnn::CrossEntropyLoss loss;                     // loss_fn = nn.CrossEntropyLoss()
  ctnn::optim::Adam optimizer{net, {.lr = o.lr}};  // optimizer = torch.optim.Adam(net.parameters(), lr=lr)
  // scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs * steps_per_epoch)
  ctnn::optim::CosineAnnealingLR scheduler{optimizer, o.epochs * steps_per_epoch};
  // --8<-- [end:setup]

  SplitMix64 rng{o.seed};
  std::vector<long> order(static_cast<std::size_t>(train.n));
  std::iota(order.begin(), order.end(), 0L);
  ctnn::Batch<float, pixels, B> x(pixels, B);  // 784 x 64 floats: on the heap, as above
  ctnn::ClassIndices<B> y;
  const bool tty = isatty(fileno(stderr)) != 0;
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();  // CPU time too: on a busy machine, wall time is not ours alone
  bool out_of_time = false;
  for (int epoch = 1; epoch <= o.epochs && !out_of_time; ++epoch) {
    shuffle(order, rng);
    net.train();
    const auto epoch_start = std::chrono::steady_clock::now();
    long seen = 0, right = 0;
    double loss_sum = 0;
    auto last_draw = epoch_start;
    for (long first = 0; first + B <= train.n; first += B) {
      // --8<-- [start:step]
      for (int k = 0; k < B; ++k) {                 // xb, yb = x_train[idx], y_train[idx]
        put_image(train, order[first + k], x.col(k));
        y(k) = train.label(order[first + k]);
      }
      optimizer.zero_grad();                        // optimizer.zero_grad()
      const auto logits = net.forward(x);           // logits = net(xb): 10 x B
      const double l = loss(logits, y);             // loss = loss_fn(logits, yb)
      net.backward(loss.grad(logits, y),            // loss.backward(); nothing asks for the
                   ctnn::parameters_only);          //   gradient of the input, so none is computed
      optimizer.step();                             // optimizer.step()
      scheduler.step();                             // scheduler.step()
      // --8<-- [end:step]
      seen += B;
      loss_sum += l * B;
      right += correct(logits, y, B);
      const double elapsed = seconds_since(start);
      out_of_time = o.time_budget > 0 && elapsed >= o.time_budget;
      if (tty && seconds_since(last_draw) > 0.2) {
        last_draw = std::chrono::steady_clock::now();
        progress(tty, epoch, o.epochs, seen, steps_per_epoch * B, seconds_since(epoch_start), loss_sum / seen,
                 100.0 * right / seen, false);
      }
      if (out_of_time) break;
    }
    progress(tty, epoch, o.epochs, seen, steps_per_epoch * B, seconds_since(epoch_start), loss_sum / seen,
             100.0 * right / seen, true);
    if (out_of_time) std::fprintf(stderr, "time budget of %g s reached\n", o.time_budget);
  }
  const double train_seconds = seconds_since(start);
  const double train_cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;

  const double accuracy = test_accuracy(net, test);
  const bool ok = accuracy >= o.min_accuracy;
  std::printf("ctnn: test accuracy %.2f%% on %ld images (target >= %g%%): %s; training %.1f s (CPU %.1f s), "
              "with the test %.1f s\n",
              accuracy, test.n, o.min_accuracy, ok ? "ok" : "FAILED", train_seconds, train_cpu, seconds_since(start));
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::fputs(usage, stderr);
    return argc > 1 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) ? 0 : 2;
  }
  try {
    return run(o);
  } catch (const std::exception& e) {
    // Missing data is a skip for ctest (77), except in CI, where every test must run.
    const char* ci = std::getenv("CI");
    const bool in_ci = ci != nullptr && *ci != '\0' && std::strcmp(ci, "false") != 0 && std::strcmp(ci, "0") != 0;
    const bool missing = std::strstr(e.what(), "no such file") != nullptr;
    std::fprintf(stderr, "fashion_mnist: %s\n", e.what());
    return missing && !in_ci ? 77 : 1;
  }
}
