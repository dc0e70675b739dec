// libFuzzer target for the safetensors reader: any bytes must either load or throw
// ctnn::Error, never crash, read out of bounds, overflow, or throw anything else (an escaping
// exception aborts the run and counts as a finding); and what the reader accepts, the writer
// must write back so that the reader finds the same metadata, tensors and bytes. Built with clang, -fsanitize=fuzzer,
// address,undefined, by tests/fuzz/CMakeLists.txt; scripts/test.sh runs the corpus
// (tests/fuzz/corpus, written by make_corpus.py) and then a bounded fuzzing run.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <ctnn/ctnn.hpp>

namespace {
// PyTorch's nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)), as the corpus holds it.
using Net = ctnn::Sequential<ctnn::Linear<2, 3>, ctnn::Tanh, ctnn::Linear<3, 1>>;
using Net64 = ctnn::with_scalar<Net, double>;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  try {
    const auto file = ctnn::SafetensorsFile::parse(bytes, "fuzz");
    // touch every element of every tensor ctnn can convert
    double sum = 0;
    for (const auto& t : file.tensors()) {
      if (!t.dtype) continue;
      const auto raw = file.data(t);
      for (std::size_t i = 0; i < t.numel; ++i) sum += ctnn::detail::read_element(*t.dtype, raw.data(), i);
    }
    static volatile double sink;
    sink = sum;
    // what the reader accepts, the writer writes back and the reader reads the same
    bool convertible = true;
    for (const auto& t : file.tensors()) convertible = convertible && t.dtype.has_value();
    if (convertible) {
      ctnn::SafetensorsWriter writer;
      for (const auto& [k, v] : file.metadata()) writer.set_metadata(k, v);
      for (const auto& t : file.tensors()) {
        const auto raw = file.data(t);
        writer.add(t.name, *t.dtype, t.shape, std::vector<std::byte>(raw.begin(), raw.end()));
      }
      const auto again = ctnn::SafetensorsFile::parse(writer.bytes(), "rewritten");
      if (again.metadata() != file.metadata() || again.tensors().size() != file.tensors().size()) __builtin_trap();
      for (const auto& t : file.tensors()) {
        const auto* u = again.find(t.name);
        if (!u || u->shape != t.shape || u->dtype != t.dtype) __builtin_trap();
        const auto a = file.data(t), b = again.data(*u);
        if (!std::equal(a.begin(), a.end(), b.begin(), b.end())) __builtin_trap();
      }
    }
    const bool strict = size % 2 == 0, reject = size % 3 == 0;
    try {
      Net net;
      ctnn::load_safetensors(net, file, {.strict = strict, .reject_non_finite = reject});
    } catch (const ctnn::Error&) {
    }
    Net64 net64;
    ctnn::load_safetensors(net64, file, {.strict = !strict, .reject_non_finite = !reject});
  } catch (const ctnn::Error&) {
    // a bad file, reported as it should be
  }
  return 0;
}
