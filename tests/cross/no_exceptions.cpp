// ctnn without exceptions (-fno-exceptions -fno-rtti), on the host: the whole library
// compiles, trains, saves and loads, and a failed run-time check reaches the handler given to
// ctnn::set_error_handler with ctnn's message.
//   no_exceptions_test infer  gives a Sequential an input of the wrong size
//   no_exceptions_test file   gives the safetensors reader a file that is not one
// The handler prints "handler: <message>" and ends the program with status 0; the tests match
// that line (tests/cross/CMakeLists.txt). Anything else returns 1.
#include <Eigen/Core>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctnn/ctnn.hpp>
#include <vector>

#if defined(__cpp_exceptions) || defined(__GXX_RTTI)
#error "build this test with -fno-exceptions -fno-rtti"
#endif

namespace {

void handler(const char* message) {
  std::printf("handler: %s\n", message);
  std::fflush(stdout);
  std::_Exit(0);
}

using Net = ctnn::Sequential<ctnn::Linear<3, 4>, ctnn::Tanh, ctnn::Linear<4, 2>>;

}  // namespace

int main(int argc, char** argv) {
  ctnn::set_error_handler(handler);
  const char* what = argc > 1 ? argv[1] : "";

  // a training step and a round trip through a safetensors file in memory, all without exceptions
  ctnn::manual_seed(7);
  Net net;
  ctnn::optim::Adam opt{net, {.lr = 1e-2}};
  ctnn::MSELoss loss;
  const ctnn::Batch<float, 3, 8> x = ctnn::Batch<float, 3, 8>::Random();
  const ctnn::Batch<float, 2, 8> t = ctnn::Batch<float, 2, 8>::Zero();
  for (int i = 0; i < 3; ++i) {
    opt.zero_grad();
    const auto y = net.forward(x);
    net.backward(loss.grad(y, t));
    opt.step();
  }
  Net copy = ctnn::skip_init<Net>();
  ctnn::load_safetensors(copy, ctnn::SafetensorsFile::parse(ctnn::to_safetensors(net)));
  if (!(copy.infer(x) - net.infer(x)).isZero(0)) {
    std::printf("the loaded copy computes something else\n");
    return 1;
  }

  if (std::strcmp(what, "infer") == 0) {
    Eigen::VectorXf wrong = Eigen::VectorXf::Zero(5);
    (void)net.infer(wrong);
  } else if (std::strcmp(what, "file") == 0) {
    std::vector<std::byte> bytes(16, std::byte{0x7b});
    (void)ctnn::SafetensorsFile::parse(bytes);
  }
  std::printf("no error reported\n");
  return 1;
}
