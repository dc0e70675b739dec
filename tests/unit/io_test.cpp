// Weights in and out: safetensors files written by PyTorch (committed in
// tests/reference/data/io_*.safetensors) and by ctnn, the architecture fingerprint, every way
// a file can be bad (each throws ctnn::Error naming what was expected and found, and leaves the
// model as it was), the fuzz corpus, and bit-identical training checkpoints.
#include <catch2/catch.hpp>

#include <ctnn/ctnn.hpp>
#include <ctnn/io/checkpoint.hpp>
#include <ctnn/io/safetensors.hpp>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "rank2_files.hpp"
#include "tensors_module.hpp"
#include "torch_compare.hpp"

namespace fs = std::filesystem;
using ctnn_test::load_reference;

namespace {

using Mlp = ctnn::Sequential<ctnn::Linear<8, 128>, ctnn::ReLU, ctnn::Linear<128, 1>>;  // the issue's example
using Mlp64 = ctnn::with_scalar<Mlp, double>;
using Nested = ctnn::Sequential<ctnn::Linear<4, 6, false>, ctnn::Sequential<ctnn::Linear<6, 6>, ctnn::Tanh>,
                                ctnn::Linear<6, 2>>;
/// The model the fuzz target and its corpus use (tests/fuzz/).
using FuzzNet = ctnn::Sequential<ctnn::Linear<2, 3>, ctnn::Tanh, ctnn::Linear<3, 1>>;

/// PyTorch's `Scaled` of generate.py: a Linear and a registered buffer.
struct Scaled {
  BOOST_HANA_DEFINE_STRUCT(Scaled, (ctnn::Linear<3, 2>, lin), (ctnn::Buffer<float, 2>, scale));
};

// The fingerprint is computed at compile time.
static_assert(ctnn::architecture<Mlp> == "Sequential(Linear(8,128),ReLU,Linear(128,1))");
static_assert(ctnn::architecture<Mlp64> == ctnn::architecture<Mlp>);  // the scalar type is stored apart
static_assert(ctnn::architecture<Nested> ==
              "Sequential(Linear(4,6,bias=None),Sequential(Linear(6,6),Tanh),Linear(6,2))");
static_assert(ctnn::architecture<Scaled> == "Scaled(lin=Linear(3,2),scale=Buffer(2))");
static_assert(ctnn::embedded_tensor_count<Mlp> == 4 && ctnn::embedded_tensor_count<Scaled> == 3);

fs::path temp_dir() {
  const fs::path dir = fs::temp_directory_path() / ("ctnn_io_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

std::string ref_file(const std::string& name) { return std::string(CTNN_REFERENCE_DIR) + "/" + name; }

template <class Model>
Model seeded(std::uint64_t seed) {
  Model m;
  ctnn::init::reset_parameters(m, seed);
  return m;
}

/// Every parameter of model equals the reference tensor of its name, as the model's scalar.
template <class Model>
void require_parameters_equal(Model& model, const ctnn_test::Reference& ref) {
  std::size_t n = 0;
  ctnn::named_parameters(model, [&](std::string_view name, auto& p) {
    using S = typename std::remove_cvref_t<decltype(p)>::scalar_type;
    const auto& t = ref.tensor(std::string(name));
    INFO(name);
    REQUIRE(t.numel() == static_cast<std::size_t>(p.value.size()));
    for (Eigen::Index r = 0; r < p.value.rows(); ++r)
      for (Eigen::Index c = 0; c < p.value.cols(); ++c)
        REQUIRE(p.value(r, c) == static_cast<S>(t.values[static_cast<std::size_t>(r * p.value.cols() + c)]));
    ++n;
  });
  REQUIRE(n > 0);
}

template <class Model>
void require_forward_matches(Model& model, const ctnn_test::Reference& ref) {
  using S = ctnn::scalar_of<Model>;
  constexpr int In = Model::in_features;
  const auto x = ctnn_test::batch_from<Eigen::Matrix<S, In, Eigen::Dynamic>>(ref.tensor("x"));
  const auto y = model.infer(x);
  const auto expected = ctnn_test::batch_from<Eigen::Matrix<double, Model::out_features, Eigen::Dynamic>>(ref.tensor("y"));
  REQUIRE(ctnn_test::relative_error(y, expected) < ctnn_test::tolerance<S>);
}

/// A file assembled by hand: header text (as written, not checked) and data bytes.
std::vector<std::byte> raw_file(const std::string& header, std::size_t data_bytes = 0, std::uint64_t length = ~0ull) {
  std::vector<std::byte> out(8 + header.size() + data_bytes);
  ctnn::detail::store_le<std::uint64_t>(out.data(), length == ~0ull ? header.size() : length);
  std::memcpy(out.data() + 8, header.data(), header.size());
  return out;
}

/// Message of the ctnn::Error that loading `bytes` into a fresh model throws; the model must be
/// unchanged afterwards ("" when the load succeeds).
template <class Model = FuzzNet>
std::string load_error(const std::vector<std::byte>& bytes, ctnn::LoadOptions options = {}) {
  Model model = seeded<Model>(7);
  const auto before = ctnn::to_safetensors(model);
  try {
    ctnn::load_safetensors(model, ctnn::SafetensorsFile::parse(bytes, "bad.safetensors"), options);
  } catch (const ctnn::Error& e) {
    REQUIRE(ctnn::to_safetensors(model) == before);  // all or nothing
    return e.what();
  }
  return "";
}

std::vector<std::byte> fuzz_net_file(ctnn::SaveOptions options = {}) { return ctnn::to_safetensors(seeded<FuzzNet>(3), options); }

}  // namespace

// ---- files written by PyTorch ------------------------------------------------------------------

TEST_CASE("safetensors written by PyTorch load into float and double models with PyTorch's outputs", "[io]") {
  for (const char* name : {"io_mlp_f32", "io_mlp_f64", "io_mlp_f16", "io_mlp_bf16"}) {
    INFO(name);
    const auto ref = load_reference(name);
    const std::string path = ref_file(std::string(name) + ".safetensors");
    auto f = seeded<Mlp>(1);
    const ctnn::LoadResult r = ctnn::load_safetensors(f, path);
    CHECK(r.missing_keys.empty());
    CHECK(r.unexpected_keys.empty());
    CHECK(r.file_architecture.empty());  // PyTorch names no architecture
    require_parameters_equal(f, ref);
    require_forward_matches(f, ref);
    auto d = seeded<Mlp64>(1);
    ctnn::load_safetensors(d, path);
    require_parameters_equal(d, ref);
    require_forward_matches(d, ref);
  }
}

TEST_CASE("nested Sequential, Linear without bias and buffers use PyTorch's state_dict names", "[io]") {
  const auto ref = load_reference("io_nested");
  Nested net;
  ctnn::load_safetensors(net, ref_file("io_nested.safetensors"));
  require_parameters_equal(net, ref);
  require_forward_matches(net, ref);

  const auto bref = load_reference("io_buffer");
  Scaled s;
  ctnn::load_safetensors(s, ref_file("io_buffer.safetensors"));
  require_parameters_equal(s, bref);
  CHECK(s.scale.value(0) == 0.5f);
  CHECK(s.scale.value(1) == -2.0f);
  std::vector<std::string> names;
  ctnn::named_buffers(s, [&](std::string_view n, auto&) { names.emplace_back(n); });
  CHECK(names == std::vector<std::string>{"scale"});
  // and written back under the same names
  const auto file = ctnn::SafetensorsFile::parse(ctnn::to_safetensors(s));
  REQUIRE(file.tensors().size() == 3);
  CHECK(file.find("lin.weight")->shape == std::vector<std::int64_t>{2, 3});
  CHECK(file.find("lin.bias")->shape == std::vector<std::int64_t>{2});
  CHECK(file.find("scale")->shape == std::vector<std::int64_t>{2});
}

// ---- tensors of any rank ------------------------------------------------------------------------

namespace {
using ctnn_test::Tensors;
using Shape = std::vector<std::int64_t>;

static_assert(ctnn::architecture<Tensors> ==
              "Tensors(conv2d=Parameter(8,3,3,3),conv1d=Parameter(16,1,5),temperature=Parameter(),"
              "num_batches_tracked=Buffer())");  // the non-persistent `hidden` is in no file
static_assert(ctnn::embedded_tensor_count<Tensors> == 4);
static_assert(ctnn::architecture<rank2_files::Model> ==
              "Model(lin=Linear(1,8),custom=Custom(weight=Parameter(3,2),bias=Parameter(3),column=Parameter(4,1),"
              "scale=Buffer(2)))");  // the strings of 1-D and 2-D tensors are those of older files

/// `file` again with tensor `name` given `shape` (same bytes).
std::vector<std::byte> with_shape(const ctnn::SafetensorsFile& file, const std::string& name, const Shape& shape) {
  ctnn::SafetensorsWriter w;
  for (const auto& [key, value] : file.metadata()) w.set_metadata(key, value);
  for (const auto& t : file.tensors()) {
    const auto data = file.data(t);
    w.add(t.name, *t.dtype, t.name == name ? shape : t.shape, std::vector<std::byte>(data.begin(), data.end()));
  }
  return w.bytes();
}

/// `file` again with one more tensor.
std::vector<std::byte> with_extra(const ctnn::SafetensorsFile& file, const std::string& name) {
  ctnn::SafetensorsWriter w;
  for (const auto& [key, value] : file.metadata()) w.set_metadata(key, value);
  for (const auto& t : file.tensors()) {
    const auto data = file.data(t);
    w.add(t.name, *t.dtype, t.shape, std::vector<std::byte>(data.begin(), data.end()));
  }
  const std::vector<float> values(8, 1.0f);
  w.add_values<float>(name, ctnn::Dtype::F32, {2, 4}, values);
  return w.bytes();
}
}  // namespace

TEST_CASE("tensors of rank 0, 3 and 4 and an int64 0-D buffer load from PyTorch's file, element by element",
          "[io]") {
  const auto ref = load_reference("io_tensors");
  Tensors t;
  t.hidden.value.setConstant(3.0f);  // not in the file: left as it is
  const ctnn::LoadResult r = ctnn::load_safetensors(t, ref_file("io_tensors.safetensors"));  // strict
  CHECK(r.missing_keys.empty());
  CHECK(r.unexpected_keys.empty());

  // PyTorch's conv2d[o][i][y][x] is value(o, i * 9 + y * 3 + x): the row-major flattening
  const auto& w2 = ref.tensor("conv2d");
  REQUIRE(w2.shape == std::vector<int>{8, 3, 3, 3});
  int checked = 0;
  for (int o = 0; o < 8; ++o)
    for (int i = 0; i < 3; ++i)
      for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 3; ++x, ++checked)
          REQUIRE(t.conv2d.value(o, i * 9 + y * 3 + x) == static_cast<float>(w2.at({o, i, y, x})));
  CHECK(checked == 216);
  const auto& w1 = ref.tensor("conv1d");
  REQUIRE(w1.shape == std::vector<int>{16, 1, 5});
  for (int o = 0; o < 16; ++o)
    for (int k = 0; k < 5; ++k) REQUIRE(t.conv1d.value(o, k) == static_cast<float>(w1.at({o, 0, k})));
  CHECK(t.temperature.item() == static_cast<float>(ref.tensor("temperature").at({})));
  CHECK(t.temperature.item() != 0.0f);
  CHECK(t.num_batches_tracked.item() == std::int64_t{12345678901});  // past 32 bits
  CHECK(ref.tensor("num_batches_tracked").at({}) == 12345678901.0);
  CHECK((t.hidden.value.array() == 3.0f).all());

  // written back: the same names, shapes, dtypes and bytes as PyTorch's file
  const auto theirs = ctnn::SafetensorsFile::read(ref_file("io_tensors.safetensors"));
  const auto ours = ctnn::SafetensorsFile::parse(ctnn::to_safetensors(t));
  REQUIRE(ours.tensors().size() == 4);
  CHECK(ours.find("hidden") == nullptr);
  for (const auto& theirs_t : theirs.tensors()) {
    INFO(theirs_t.name);
    const ctnn::TensorInfo* ours_t = ours.find(theirs_t.name);
    REQUIRE(ours_t != nullptr);
    CHECK(ours_t->shape == theirs_t.shape);
    CHECK(ours_t->dtype == theirs_t.dtype);
    const auto a = ours.data(*ours_t), b = theirs.data(theirs_t);
    CHECK(std::equal(a.begin(), a.end(), b.begin(), b.end()));
  }
  CHECK(ours.find("conv2d")->shape == Shape{8, 3, 3, 3});
  CHECK(ours.find("temperature")->shape == Shape{});
  CHECK(ours.find("num_batches_tracked")->dtype == ctnn::Dtype::I64);

  // the shape must be PyTorch's, not the storage's or another with the same count
  CHECK_THAT(load_error<Tensors>(with_shape(theirs, "temperature", {1})),
             Catch::Contains("tensor 'temperature': expected shape (), found (1)"));
  CHECK_THAT(load_error<Tensors>(with_shape(theirs, "conv2d", {8, 27})),
             Catch::Contains("tensor 'conv2d': expected shape (8, 3, 3, 3), found (8, 27)"));
  CHECK_THAT(load_error<Tensors>(with_shape(theirs, "conv1d", {16, 5})),
             Catch::Contains("tensor 'conv1d': expected shape (16, 1, 5), found (16, 5)"));
  CHECK_THAT(load_error<Tensors>(with_shape(theirs, "num_batches_tracked", {1})),
             Catch::Contains("tensor 'num_batches_tracked': expected shape (), found (1)"));
  CHECK(load_error<Tensors>(with_shape(theirs, "conv2d", {8, 3, 3, 3})).empty());  // the control
}

TEST_CASE("non-persistent buffers are visited but neither saved, loaded, counted nor described", "[io]") {
  Tensors t;
  std::vector<std::string> names;
  std::vector<bool> persistent;
  ctnn::named_buffers(t, [&](std::string_view n, auto& b) {
    names.emplace_back(n);
    persistent.push_back(std::remove_cvref_t<decltype(b)>::persistent);
  });
  CHECK(names == std::vector<std::string>{"num_batches_tracked", "hidden"});  // as PyTorch's named_buffers
  CHECK(persistent == std::vector<bool>{true, false});
  // a walker that resets state reaches it
  t.hidden.value.setConstant(2.0f);
  ctnn::buffers(t, [](auto& b) {
    if constexpr (!std::remove_cvref_t<decltype(b)>::persistent) b.value.setZero();
  });
  CHECK(t.hidden.value.isZero());

  const auto file = ctnn::SafetensorsFile::parse(ctnn::to_safetensors(t));
  CHECK(file.find("hidden") == nullptr);
  CHECK(file.tensors().size() == 4);
  // a file that holds it is refused by a strict load (PyTorch's state_dict has no such key)
  CHECK_THAT(load_error<Tensors>(with_extra(file, "hidden")),
             Catch::Contains("unexpected tensors (the model has no such entry): 'hidden'"));
  ctnn::LoadOptions lenient;
  lenient.strict = false;
  Tensors u;
  const auto r = ctnn::load_safetensors(u, ctnn::SafetensorsFile::parse(with_extra(file, "hidden")), lenient);
  CHECK(r.unexpected_keys == std::vector<std::string>{"hidden"});
  CHECK(u.hidden.value.isZero());

  // summary: the buffer bytes are the state_dict's (the int64 counter), parameters 8*27 + 16*5 + 1
  constexpr auto s = ctnn::summary<Tensors>();
  STATIC_REQUIRE(s.buffer_bytes == 8);
  STATIC_REQUIRE(s.param_bytes == (216 + 80 + 1) * 4);
  STATIC_REQUIRE(ctnn::parameter_count<Tensors> == 297);
}

TEST_CASE("a checkpoint holds tensors of any rank and optimizer state of their shapes", "[io][checkpoint]") {
  using Opt = ctnn::optim::Adam<Tensors>;
  const fs::path dir = temp_dir();
  auto run = [](Tensors& t, Opt& opt, int steps) {
    for (int step = 0; step < steps; ++step) {
      ctnn::parameters(t, [&](auto& p) {
        for (Eigen::Index r = 0; r < p.grad.rows(); ++r)
          for (Eigen::Index c = 0; c < p.grad.cols(); ++c)
            p.grad(r, c) = std::sin(0.3f * float(r) - 0.7f * float(c) + p.value(r, c));
      });
      opt.step();
      ++t.num_batches_tracked.item();
    }
  };
  auto make = [](Tensors& t) {
    ctnn::load_safetensors(t, ref_file("io_tensors.safetensors"));
    return Opt{t, {.lr = 0.01, .amsgrad = true}};
  };
  Tensors straight;
  Opt straight_opt = make(straight);
  run(straight, straight_opt, 6);

  Tensors first;
  Opt first_opt = make(first);
  run(first, first_opt, 3);
  ctnn::save_checkpoint(dir / "tensors.safetensors", first, first_opt);
  const auto file = ctnn::SafetensorsFile::read(dir / "tensors.safetensors");
  CHECK(file.find("model.conv2d")->shape == Shape{8, 3, 3, 3});
  CHECK(file.find("model.num_batches_tracked")->shape == Shape{});
  CHECK(file.find("model.hidden") == nullptr);
  // PyTorch: every state tensor has its parameter's shape
  for (const char* what : {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}) {
    INFO(what);
    CHECK(file.find(std::string("optimizer.state.0.") + what)->shape == Shape{8, 3, 3, 3});
    CHECK(file.find(std::string("optimizer.state.1.") + what)->shape == Shape{16, 1, 5});
    CHECK(file.find(std::string("optimizer.state.2.") + what)->shape == Shape{});
  }

  Tensors resumed;
  ctnn::init::normal_(resumed);  // other weights
  Opt resumed_opt{resumed, {.lr = 0.01, .amsgrad = true}};
  ctnn::load_checkpoint(dir / "tensors.safetensors", resumed, resumed_opt);
  CHECK(resumed.num_batches_tracked.item() == 12345678904);
  CHECK(ctnn::detail::checkpoint_writer(resumed, resumed_opt).bytes() ==
        ctnn::detail::checkpoint_writer(first, first_opt).bytes());
  run(resumed, resumed_opt, 3);
  CHECK(ctnn::detail::checkpoint_writer(resumed, resumed_opt).bytes() ==
        ctnn::detail::checkpoint_writer(straight, straight_opt).bytes());  // the same bits as 6 steps in a row

  // a state tensor of another shape with the same count is refused, naming both
  ctnn::SafetensorsWriter::write_file_atomically(dir / "bad.safetensors",
                                                 with_shape(file, "optimizer.state.0.exp_avg", {8, 27}));
  CHECK_THROWS_WITH(ctnn::load_checkpoint(dir / "bad.safetensors", resumed, resumed_opt),
                    Catch::Contains("tensor 'optimizer.state.0.exp_avg': expected shape (8, 3, 3, 3), found (8, 27)"));
  fs::remove_all(dir);
}

TEST_CASE("files ctnn wrote before tensors of any rank still load, and ctnn writes them the same", "[io][checkpoint]") {
  // written by tests/support/rank2_files.hpp compiled against ctnn at commit b400b91
  rank2_files::Run today;
  const auto model_file = ctnn::SafetensorsFile::read(ref_file("ctnn_b400b91_model.safetensors"));
  CHECK(model_file.metadata(ctnn::architecture_key) == std::string(ctnn::architecture<rank2_files::Model>));
  CHECK(model_file.find("custom.column")->shape == Shape{4, 1});
  CHECK(model_file.find("custom.bias")->shape == Shape{3});
  // the committed bytes, as read and written again: no arithmetic in between
  const auto bytes = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> out(chars.size());
    std::memcpy(out.data(), chars.data(), chars.size());
    return out;
  };
  rank2_files::Model m;
  ctnn::load_safetensors(m, model_file);  // strict, architecture included
  CHECK(ctnn::to_safetensors(m) == bytes(ref_file("ctnn_b400b91_model.safetensors")));

  rank2_files::Model fresh;  // zero weights, no optimizer state, the scheduler at its start
  rank2_files::Opt fresh_opt{fresh, {.lr = 0.5, .amsgrad = true}};
  rank2_files::Sched fresh_sched{fresh_opt, 1, 0.5};
  const auto ckpt = ctnn::SafetensorsFile::read(ref_file("ctnn_b400b91_checkpoint.safetensors"));
  CHECK(ckpt.find("optimizer.state.0.exp_avg")->shape == Shape{8, 1});
  CHECK(ckpt.find("optimizer.state.4.exp_avg")->shape == Shape{4, 1});  // custom.column
  ctnn::load_checkpoint(ref_file("ctnn_b400b91_checkpoint.safetensors"), fresh, fresh_opt, fresh_sched);
  CHECK(ctnn::detail::checkpoint_writer(fresh, fresh_opt, fresh_sched).bytes() ==
        bytes(ref_file("ctnn_b400b91_checkpoint.safetensors")));
#if defined(__x86_64__) && !defined(__FMA__)
  // and today's training run writes the same files, where they were written (x86-64 without
  // FMA: elsewhere contracted multiply-adds change the trained values' last bits): the same
  // header byte for byte (names, dtypes, shapes, offsets, metadata) and the same values but
  // for their last bits. b400b91's Adam took Eigen's square-root estimate, which differs from
  // the correctly rounded one ctnn takes since (detail::sqrt_exact) in the last bit or two.
  const auto same_file = [](const std::vector<std::byte>& got, const std::vector<std::byte>& want) {
    REQUIRE(got.size() == want.size());
    std::uint64_t header = 0;
    std::memcpy(&header, want.data(), sizeof header);
    CHECK(std::equal(got.begin(), got.begin() + 8 + static_cast<std::ptrdiff_t>(header), want.begin()));
    const auto a = ctnn::SafetensorsFile::parse(got), b = ctnn::SafetensorsFile::parse(want);
    for (const auto& t : b.tensors()) {
      INFO(t.name);
      const auto x = a.data(*a.find(t.name)), y = b.data(t);
      if (t.dtype_name != "F32") {
        CHECK(std::equal(x.begin(), x.end(), y.begin(), y.end()));
        continue;
      }
      for (std::size_t i = 0; i < t.numel; ++i) {
        float u = 0, v = 0;
        std::memcpy(&u, x.data() + 4 * i, 4);
        std::memcpy(&v, y.data() + 4 * i, 4);
        CHECK(std::abs(u - v) <= 1e-6f * std::max(std::abs(v), 1e-3f));
      }
    }
  };
  same_file(rank2_files::model_file(today), bytes(ref_file("ctnn_b400b91_model.safetensors")));
  same_file(rank2_files::checkpoint_file(today), bytes(ref_file("ctnn_b400b91_checkpoint.safetensors")));
#else
  (void)today;
#endif
}

TEST_CASE("F16 and BF16 conversion is PyTorch's, both ways", "[io]") {
  const auto ref = load_reference("io_half_rounding");
  const auto& x = ref.tensor("x").values;
  const auto& half = ref.tensor("half").values;
  const auto& bf16 = ref.tensor("bfloat16").values;
  auto widened = [](float v) { return std::isinf(v) ? (v > 0 ? 1e300 : -1e300) : static_cast<double>(v); };
  for (std::size_t i = 0; i < x.size(); ++i) {
    INFO("x = " << x[i]);
    const float v = static_cast<float>(x[i]);
    const float h = ctnn::detail::half_to_float(ctnn::detail::float_to_half(v));
    const float b = ctnn::detail::bf16_to_float(ctnn::detail::float_to_bf16(v));
    CHECK(widened(h) == half[i]);
    CHECK(widened(b) == bf16[i]);
    CHECK(std::signbit(h) == std::signbit(v));
  }
  // every half value survives half -> float -> half
  for (std::uint32_t bits = 0; bits < 0x10000; ++bits) {
    const auto hb = static_cast<std::uint16_t>(bits);
    const float f = ctnn::detail::half_to_float(hb);
    if (std::isnan(f)) continue;
    REQUIRE(ctnn::detail::float_to_half(f) == hb);
  }
  CHECK(std::isnan(ctnn::detail::half_to_float(ctnn::detail::float_to_half(NAN))));
  CHECK(std::isnan(ctnn::detail::bf16_to_float(ctnn::detail::float_to_bf16(NAN))));
}

// ---- files written by ctnn ---------------------------------------------------------------------

TEST_CASE("save and load round-trip, with the architecture and scalar type in the metadata", "[io]") {
  const fs::path dir = temp_dir();
  const fs::path path = dir / "mlp.safetensors";
  const auto a = seeded<Mlp>(11);
  ctnn::save_safetensors(a, path);
  const auto file = ctnn::SafetensorsFile::read(path);
  CHECK(file.metadata("ctnn.architecture") == std::string("Sequential(Linear(8,128),ReLU,Linear(128,1))"));
  CHECK(file.metadata("ctnn.scalar_type") == std::string("float32"));
  CHECK(file.metadata("format") == std::string("pt"));
  CHECK(file.find("0.weight")->shape == std::vector<std::int64_t>{128, 8});
  CHECK(file.find("0.bias")->shape == std::vector<std::int64_t>{128});
  CHECK(file.find("2.weight")->dtype == ctnn::Dtype::F32);
  // the header is padded so that the data starts at a multiple of 8 bytes
  std::ifstream in(path, std::ios::binary);
  std::uint64_t n = 0;
  in.read(reinterpret_cast<char*>(&n), 8);
  CHECK(n % 8 == 0);

  auto b = seeded<Mlp>(12);
  ctnn::load_safetensors(b, path);
  CHECK(ctnn::to_safetensors(b) == ctnn::to_safetensors(a));

  // a float model's file loads into a double model exactly, and back
  auto d = seeded<Mlp64>(13);
  ctnn::load_safetensors(d, path);
  CHECK(d.get<0>().weight.value == a.get<0>().weight.value.cast<double>());
  ctnn::save_safetensors(d, dir / "mlp64.safetensors");
  CHECK(ctnn::SafetensorsFile::read(dir / "mlp64.safetensors").find("0.weight")->dtype == ctnn::Dtype::F64);
  auto c = seeded<Mlp>(14);
  ctnn::load_safetensors(c, dir / "mlp64.safetensors");
  CHECK(ctnn::to_safetensors(c) == ctnn::to_safetensors(a));

  // saving as F16 / BF16 rounds as PyTorch's .half() / .bfloat16()
  for (ctnn::Dtype dt : {ctnn::Dtype::F16, ctnn::Dtype::BF16}) {
    ctnn::save_safetensors(a, dir / "mlp_half.safetensors", {.dtype = dt});
    auto h = seeded<Mlp>(15);
    ctnn::load_safetensors(h, dir / "mlp_half.safetensors");
    const float w = a.get<0>().weight.value(3, 5);
    const float expected = dt == ctnn::Dtype::F16 ? ctnn::detail::half_to_float(ctnn::detail::float_to_half(w))
                                                  : ctnn::detail::bf16_to_float(ctnn::detail::float_to_bf16(w));
    CHECK(h.get<0>().weight.value(3, 5) == expected);
  }
  fs::remove_all(dir);
}

TEST_CASE("saving replaces the file atomically and never leaves a temporary file", "[io]") {
  const fs::path dir = temp_dir();
  const auto a = seeded<Mlp>(21);
  ctnn::save_safetensors(a, dir / "net.safetensors");
  ctnn::save_safetensors(seeded<Mlp>(22), dir / "net.safetensors");  // overwrite
  // writing over a folder fails: the folder is untouched and no temporary file remains
  fs::create_directories(dir / "folder");
  std::string message;
  try {
    ctnn::save_safetensors(a, dir / "folder");
  } catch (const ctnn::Error& e) {
    message = e.what();
  }
  CHECK_THAT(message, Catch::Contains("writing the file failed") && Catch::Contains("unchanged"));
  CHECK(fs::is_directory(dir / "folder"));
  // into a folder that does not exist
  message.clear();
  try {
    ctnn::save_safetensors(a, dir / "missing" / "net.safetensors");
  } catch (const ctnn::Error& e) {
    message = e.what();
  }
  CHECK_THAT(message, Catch::Contains("cannot create the temporary file"));
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir)) left.push_back(e.path().filename().string());
  std::sort(left.begin(), left.end());
  CHECK(left == std::vector<std::string>{"folder", "net.safetensors"});
  fs::remove_all(dir);
}

// ---- bad files ---------------------------------------------------------------------------------

TEST_CASE("a file for another architecture is refused with both descriptions in words", "[io]") {
  using Wider = ctnn::Sequential<ctnn::Linear<2, 5>, ctnn::Tanh, ctnn::Linear<5, 1>>;
  const auto bytes = ctnn::to_safetensors(seeded<Wider>(1));
  const std::string msg = load_error(bytes);
  CHECK_THAT(msg, Catch::Contains("bad.safetensors: the file was written for another architecture") &&
                      Catch::Contains("file:  Sequential(Linear(2,5),Tanh,Linear(5,1))") &&
                      Catch::Contains("model: Sequential(Linear(2,3),Tanh,Linear(3,1))"));
  // non-strict: the architecture is reported, the first mismatching shape still throws
  CHECK_THAT(load_error(bytes, {.strict = false}),
             Catch::Contains("tensor '0.weight': expected shape (3, 2), found (5, 2)"));
  // same names and shapes, other activation: non-strict loads and reports it
  using OtherActivation = ctnn::Sequential<ctnn::Linear<2, 3>, ctnn::ReLU, ctnn::Linear<3, 1>>;
  FuzzNet net = seeded<FuzzNet>(5);
  const auto r = ctnn::load_safetensors(net, ctnn::SafetensorsFile::parse(ctnn::to_safetensors(seeded<OtherActivation>(4))),
                                        {.strict = false});
  CHECK_FALSE(r.architecture_matches);
  CHECK(r.file_architecture == "Sequential(Linear(2,3),ReLU,Linear(3,1))");
  CHECK(net.get<0>().weight.value != seeded<FuzzNet>(5).get<0>().weight.value);
  CHECK(net.get<0>().weight.value == seeded<OtherActivation>(4).get<0>().weight.value);  // loaded
}

TEST_CASE("missing and unexpected tensors: strict throws naming them, non-strict reports them", "[io]") {
  // a file of the same architecture written without metadata and without "2.bias", plus an extra
  ctnn::SafetensorsWriter w;
  const auto src = seeded<FuzzNet>(5);
  ctnn::detail::write_matrix(w, "0.weight", src.get<0>().weight.value, std::nullopt);
  ctnn::detail::write_matrix(w, "0.bias", src.get<0>().bias.value, std::nullopt);
  ctnn::detail::write_matrix(w, "2.weight", src.get<2>().weight.value, std::nullopt);
  ctnn::detail::write_matrix(w, "extra.running_mean", src.get<0>().bias.value, std::nullopt);
  const auto bytes = w.bytes();
  CHECK_THAT(load_error(bytes), Catch::Contains("missing tensors (the model expects them): '2.bias' float32 (1)") &&
                                    Catch::Contains("unexpected tensors (the model has no such entry): 'extra.running_mean'") &&
                                    Catch::Contains("strict = false"));
  FuzzNet net = seeded<FuzzNet>(6);
  const auto bias_before = net.get<2>().bias.value;
  const auto r = ctnn::load_safetensors(net, ctnn::SafetensorsFile::parse(bytes), {.strict = false});
  CHECK(r.missing_keys == std::vector<std::string>{"2.bias"});
  CHECK(r.unexpected_keys == std::vector<std::string>{"extra.running_mean"});
  CHECK(net.get<2>().weight.value == src.get<2>().weight.value);  // loaded
  CHECK(net.get<2>().bias.value == bias_before);                   // left as it was
}

TEST_CASE("wrong shape, wrong dtype, non-finite and out-of-range values are refused", "[io]") {
  using Transposed = ctnn::Sequential<ctnn::Linear<3, 2>, ctnn::Tanh, ctnn::Linear<2, 1>>;
  CHECK_THAT(load_error(ctnn::to_safetensors(seeded<Transposed>(1)), {.strict = false}),
             Catch::Contains("tensor '0.weight': expected shape (3, 2), found (2, 3)"));

  ctnn::SafetensorsWriter w;
  const auto src = seeded<FuzzNet>(5);
  const std::vector<std::int64_t> ints(6, 1);
  w.add_values<std::int64_t>("0.weight", ctnn::Dtype::I64, {3, 2}, ints);
  ctnn::detail::write_matrix(w, "0.bias", src.get<0>().bias.value, std::nullopt);
  ctnn::detail::write_matrix(w, "2.weight", src.get<2>().weight.value, std::nullopt);
  ctnn::detail::write_matrix(w, "2.bias", src.get<2>().bias.value, std::nullopt);
  CHECK_THAT(load_error(w.bytes()),
             Catch::Contains("tensor '0.weight': expected a floating-point dtype (F16, BF16, F32 or F64), found I64"));

  auto nan_net = seeded<FuzzNet>(8);
  nan_net.get<0>().weight.value(2, 1) = NAN;
  const auto nan_file = ctnn::to_safetensors(nan_net);
  CHECK(load_error(nan_file).empty());  // PyTorch loads NaN too, unless asked not to
  CHECK_THAT(load_error(nan_file, {.reject_non_finite = true}),
             Catch::Contains("tensor '0.weight': element (2, 1) is nan (the load was asked to reject non-finite values)"));

  // a finite double that float cannot hold is an error, not a silent infinity
  auto big = seeded<ctnn::with_scalar<FuzzNet, double>>(9);
  big.get<2>().bias.value(0) = 1e300;
  CHECK_THAT(load_error(ctnn::to_safetensors(big)), Catch::Contains("tensor '2.bias': element 0 is 1e+300, which float32 cannot hold"));
  CHECK(load_error<ctnn::with_scalar<FuzzNet, double>>(ctnn::to_safetensors(big)).empty());
}

TEST_CASE("malformed files: each failure names what was expected and what was found", "[io]") {
  const auto good = fuzz_net_file();
  REQUIRE(load_error(good).empty());
  // truncated: every prefix of a good file fails cleanly
  for (std::size_t n = 0; n < good.size(); n += 7) {
    const std::string msg = load_error(std::vector<std::byte>(good.begin(), good.begin() + static_cast<long>(n)));
    INFO("prefix of " << n << " bytes: " << msg);
    CHECK_THAT(msg, Catch::Contains("bad.safetensors: ") &&
                        (Catch::Contains("truncated") || Catch::Contains("only") || Catch::Contains("past the end")));
  }
  CHECK_THAT(load_error({}), Catch::Contains("the file is truncated: it has 0 bytes, fewer than the 8 bytes"));
  FuzzNet net;
  CHECK_THROWS_WITH(ctnn::load_safetensors(net, fs::temp_directory_path()), Catch::Contains("is a folder, not a file"));
  CHECK_THROWS_WITH(ctnn::load_safetensors(net, fs::temp_directory_path() / "ctnn_no_such_file"),
                    Catch::Contains("cannot open the file for reading"));
  CHECK_THAT(load_error(raw_file("{}", 0, 1000)), Catch::Contains("the header length says 1000 bytes but only 2 bytes follow it"));
  CHECK_THAT(load_error(raw_file("[1]")), Catch::Contains("the header must be a JSON object starting with '{'"));
  CHECK_THAT(load_error(raw_file("{\"a\": ")), Catch::Contains("the JSON header is malformed"));
  CHECK_THAT(load_error(raw_file(R"({"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"a":{}})", 4)),
             Catch::Contains("the JSON header has the key 'a' twice"));
  CHECK_THAT(load_error(raw_file(R"({"a":{"dtype":"F32","shape":[[1]],"data_offsets":[0,4]}})", 4)),
             Catch::Contains("nests deeper"));
  CHECK_THAT(load_error(raw_file(R"({"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}})", 4)),
             Catch::Contains("tensor 'a': unknown dtype 'Q7'"));
  CHECK_THAT(load_error(raw_file(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4)),
             Catch::Contains("tensor 'a': shape must hold non-negative integers, found -1"));
  CHECK_THAT(load_error(raw_file(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}})", 4)),
             Catch::Contains("more elements than memory can hold"));
  CHECK_THAT(load_error(raw_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 4)),
             Catch::Contains("tensor 'a': data_offsets [0,8] reach past the end of the data (4 bytes; truncated file?)"));
  CHECK_THAT(load_error(raw_file(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}})", 4)),
             Catch::Contains("end before they begin"));
  CHECK_THAT(load_error(raw_file(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8)),
             Catch::Contains("tensor 'a': data_offsets [0,8] span 8 bytes, but F32 (3) needs 12"));
  CHECK_THAT(load_error(raw_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                 R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                 12)),
             Catch::Contains("tensor 'b': its data [4, 12) overlaps that of tensor 'a' [0, 8)"));
  CHECK_THAT(load_error(raw_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8)),
             Catch::Contains("the bytes [0, 4) of the data belong to no tensor"));
  CHECK_THAT(load_error(raw_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 8)),
             Catch::Contains("the last 4 bytes of the data belong to no tensor"));
  CHECK_THAT(load_error(raw_file(R"({"a":{"dtype":"F32","shape":[1]}})", 0)), Catch::Contains("the entry has no 'data_offsets'"));
  CHECK_THAT(load_error(raw_file(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0],"x":1}})", 0)),
             Catch::Contains("unknown field 'x'"));
  CHECK_THAT(load_error(raw_file(R"({"__metadata__":{"k":1}})", 0)),
             Catch::Contains("'__metadata__' entry 'k' must be a string, found number"));
}

TEST_CASE("every file of the fuzz corpus fails with its expected message or loads", "[io]") {
  const fs::path corpus = fs::path(CTNN_REFERENCE_DIR) / ".." / ".." / "fuzz" / "corpus";
  std::ifstream expected(corpus / "EXPECTED");
  REQUIRE(expected);
  std::string line;
  std::size_t checked = 0;
  while (std::getline(expected, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.find(' ');
    const std::string name = line.substr(0, space), want = line.substr(space + 1);
    std::ifstream in(corpus / name, std::ios::binary);
    REQUIRE(in);
    std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> bytes(chars.size());
    if (!chars.empty()) std::memcpy(bytes.data(), chars.data(), chars.size());  // an empty file has no data()
    const std::string msg = load_error(bytes, {.reject_non_finite = true});
    INFO(name << ": " << msg);
    if (want == "OK") {
      CHECK(msg.empty());
    } else {
      CHECK_THAT(msg, Catch::Contains(want));
    }
    ++checked;
  }
  CHECK(checked >= 30);
}

// ---- checkpoints -------------------------------------------------------------------------------

namespace {
using TrainNet = ctnn::Sequential<ctnn::Linear<4, 8>, ctnn::Tanh, ctnn::Dropout, ctnn::Linear<8, 2>>;

struct Trainer {
  TrainNet net = seeded<TrainNet>(42);
  ctnn::optim::Adam<TrainNet> opt{net, {.lr = 0.02, .amsgrad = true}};
  ctnn::optim::StepLR<ctnn::optim::Adam<TrainNet>> sched{opt, 3, 0.5};

  Trainer() { ctnn::manual_seed(net, 77); }  // the same dropout masks in every run

  void train(int steps) {
    ctnn::Generator gen(1234);
    Eigen::Matrix<float, 4, 16> x;
    for (auto& v : x.reshaped()) v = static_cast<float>(gen.normal());
    const Eigen::Matrix<float, 2, 16> target = (x.topRows<2>().array().sin() * x.bottomRows<2>().array()).matrix();
    const ctnn::MSELoss loss;
    for (int i = 0; i < steps; ++i) {
      const auto y = net.forward(x);
      opt.zero_grad();
      net.backward(loss.grad(y, target));
      opt.step();
      sched.step();
    }
  }
  std::vector<std::byte> state() { return ctnn::detail::checkpoint_writer(net, opt, sched).bytes(); }
};
}  // namespace

TEST_CASE("a checkpoint holds a SequentialLR and its schedulers", "[io][checkpoint]") {
  using namespace ctnn::optim;
  const fs::path dir = temp_dir();
  auto make = [](auto& o) {
    return SequentialLR{o, std::tuple{LinearLR{o, 0.25, 1.0, 3}, CosineAnnealingLR{o, 6, 0.01}}, {3}};
  };
  ctnn::Linear<2, 1, true, double> net, net2;
  SGD opt{net, {.lr = 0.5}};
  SGD opt2{net2, {.lr = 0.5}};
  auto seq = make(opt);
  auto seq2 = make(opt2);
  for (int t = 0; t < 5; ++t) seq.step();  // past the milestone: the cosine is at its epoch 2
  ctnn::save_checkpoint(dir / "seq.safetensors", net, opt, seq);
  const auto file = ctnn::SafetensorsFile::read(dir / "seq.safetensors");
  CHECK(file.metadata("ctnn.scheduler") == std::string("SequentialLR"));
  CHECK(file.find("scheduler.last_epoch")->dtype == ctnn::Dtype::I64);
  CHECK(file.find("scheduler._schedulers.1.last_epoch") != nullptr);
  CHECK(file.find("scheduler._schedulers.0.base_lrs.0")->dtype == ctnn::Dtype::F64);

  ctnn::load_checkpoint(dir / "seq.safetensors", net2, opt2, seq2);
  CHECK(seq2.last_epoch() == 5);
  CHECK(seq2.scheduler<1>().last_epoch() == 2);
  CHECK(opt2.lr() == opt.lr());
  for (int t = 0; t < 6; ++t) {
    seq.step();
    seq2.step();
    CHECK(opt2.lr() == opt.lr());
  }
  fs::remove_all(dir);
}

TEST_CASE("a checkpoint resumes training bit for bit", "[io][checkpoint]") {
  const fs::path dir = temp_dir();
  auto straight = std::make_unique<Trainer>();
  straight->train(10);

  auto first = std::make_unique<Trainer>();
  first->train(5);
  ctnn::save_checkpoint(dir / "ckpt.safetensors", first->net, first->opt, first->sched);
  const auto file = ctnn::SafetensorsFile::read(dir / "ckpt.safetensors");
  CHECK(file.find("model.0.weight")->shape == std::vector<std::int64_t>{8, 4});
  CHECK(file.find("optimizer.state.0.exp_avg")->shape == std::vector<std::int64_t>{8, 4});
  CHECK(file.find("optimizer.state.3.max_exp_avg_sq")->shape == std::vector<std::int64_t>{2});
  CHECK(file.find("optimizer.state.0.step")->dtype == ctnn::Dtype::I64);
  CHECK(file.find("optimizer.param_groups.0.lr")->dtype == ctnn::Dtype::F64);
  CHECK(file.find("scheduler.last_epoch") != nullptr);
  CHECK(file.metadata("ctnn.optimizer") == std::string("Adam"));
  CHECK(file.metadata("ctnn.scheduler") == std::string("StepLR"));
  CHECK(file.metadata("ctnn.generator.2") == first->net.get<2>().generator().state());  // Dropout's masks
  CHECK(file.find("model.3.weight") != nullptr);

  auto resumed = std::make_unique<Trainer>();
  resumed->net = seeded<TrainNet>(99);  // fresh objects, other weights
  ctnn::load_checkpoint(dir / "ckpt.safetensors", resumed->net, resumed->opt, resumed->sched);
  CHECK(resumed->state() == first->state());
  CHECK(resumed->net.get<2>().generator().state() == first->net.get<2>().generator().state());
  resumed->train(5);
  CHECK(resumed->net.get<0>().weight.value == straight->net.get<0>().weight.value);
  CHECK(resumed->state() == straight->state());  // parameters, moments, steps, lr, scheduler, masks: same bits

  // without the checkpoint the runs differ (the test can fail)
  auto restarted = std::make_unique<Trainer>();
  restarted->train(5);
  restarted->opt.zero_grad();
  Trainer fresh;
  fresh.net = restarted->net;
  fresh.train(5);
  CHECK(fresh.state() != straight->state());

  // a checkpoint of another optimizer is refused, and nothing changes
  ctnn::optim::SGD<TrainNet> sgd{resumed->net, {.lr = 0.1}};
  const auto before = resumed->state();
  CHECK_THROWS_WITH(ctnn::load_checkpoint(dir / "ckpt.safetensors", resumed->net, sgd),
                    Catch::Contains("the checkpoint's optimizer is Adam, but it is being loaded into SGD"));
  // a checkpoint whose generator state is damaged is refused, and nothing changes
  {
    auto w = ctnn::detail::checkpoint_writer(first->net, first->opt, first->sched);
    w.set_metadata("ctnn.generator.2", "not a state");
    ctnn::SafetensorsWriter::write_file_atomically(dir / "bad_rng.safetensors", w.bytes());
    CHECK_THROWS_WITH(ctnn::load_checkpoint(dir / "bad_rng.safetensors", resumed->net, resumed->opt, resumed->sched),
                      Catch::Contains("the random generator state of module '2' is malformed"));
    CHECK(resumed->state() == before);
  }
  // a damaged checkpoint is refused, and nothing changes
  auto bytes = ctnn::detail::checkpoint_writer(first->net, first->opt, first->sched).bytes();
  bytes.resize(bytes.size() - 3);
  ctnn::SafetensorsWriter::write_file_atomically(dir / "cut.safetensors", bytes);
  CHECK_THROWS_WITH(ctnn::load_checkpoint(dir / "cut.safetensors", resumed->net, resumed->opt, resumed->sched),
                    Catch::Contains("reach past the end of the data"));
  CHECK(resumed->state() == before);
  fs::remove_all(dir);
}

namespace {
/// The layer families of issues 12 and 13 under Adam: a CNN whose BatchNorm trains (its running
/// statistics and num_batches_tracked move every step), and a two-layer GRU read at its last
/// step. The same batch every step, so that k + k steps can be compared with 2k.
using BnNet = ctnn::with_input<ctnn::Sequential<ctnn::Conv2d<1, 3, 3, ctnn::ConvOptions{.padding = 1}>,
                                                ctnn::BatchNorm2d<3>, ctnn::ReLU, ctnn::MaxPool2d<2>, ctnn::Flatten,
                                                ctnn::Linear<12, 2>>,
                               1, 4, 4>;
using GruNet = ctnn::with_input<
    ctnn::Sequential<ctnn::GRU<2, 4, ctnn::RNNOptions{.num_layers = 2}>, ctnn::LastStep, ctnn::Linear<4, 1>>, 5, 2>;

template <class Net>
struct FamilyTrainer {
  Net net = seeded<Net>(42);
  ctnn::optim::Adam<Net> opt{net, {.lr = 0.01}};

  void train(int steps) {
    ctnn::Generator gen(1234);
    Eigen::Matrix<float, Net::in_features, 8> x;
    for (auto& v : x.reshaped()) v = static_cast<float>(gen.normal());
    Eigen::Matrix<float, Net::out_features, 8> target;
    for (auto& v : target.reshaped()) v = static_cast<float>(gen.normal());
    const ctnn::MSELoss loss;
    for (int i = 0; i < steps; ++i) {
      const auto y = net.forward(x);
      opt.zero_grad();
      net.backward(loss.grad(y, target));
      opt.step();
    }
  }
  std::vector<std::byte> state() { return ctnn::detail::checkpoint_writer(net, opt).bytes(); }
};

/// k steps, a checkpoint, a fresh model and optimizer loading it, k more steps: the same bits
/// (parameters, BatchNorm's buffers, Adam's moments and steps) as 2k steps in one run.
template <class Net>
void check_resume(const fs::path& path, int k) {
  auto straight = std::make_unique<FamilyTrainer<Net>>();
  straight->train(2 * k);
  auto first = std::make_unique<FamilyTrainer<Net>>();
  first->train(k);
  ctnn::save_checkpoint(path, first->net, first->opt);
  auto resumed = std::make_unique<FamilyTrainer<Net>>();
  resumed->net = seeded<Net>(99);  // other weights, no history
  ctnn::load_checkpoint(path, resumed->net, resumed->opt);
  CHECK(resumed->state() == first->state());
  resumed->train(k);
  CHECK(resumed->state() == straight->state());
  CHECK(resumed->state() != first->state());  // k more steps moved it (the test can fail)
}
}  // namespace

TEST_CASE("checkpoints of a BatchNorm CNN and a GRU under Adam resume bit for bit", "[io][checkpoint]") {
  const fs::path dir = temp_dir();
  check_resume<BnNet>(dir / "bn.safetensors", 4);
  check_resume<GruNet>(dir / "gru.safetensors", 4);
  // the BatchNorm buffers and the recurrent parameters are in the checkpoint under PyTorch's names
  const auto bn = ctnn::SafetensorsFile::read(dir / "bn.safetensors");
  REQUIRE(bn.find("model.1.num_batches_tracked") != nullptr);
  CHECK(bn.find("model.1.num_batches_tracked")->dtype == ctnn::Dtype::I64);
  CHECK(bn.find("model.1.running_var")->shape == std::vector<std::int64_t>{3});
  CHECK(bn.find("model.0.weight")->shape == std::vector<std::int64_t>{3, 1, 3, 3});
  CHECK(bn.find("optimizer.state.0.exp_avg")->shape == std::vector<std::int64_t>{3, 1, 3, 3});
  BnNet net;
  ctnn::optim::Adam<BnNet> opt{net, {.lr = 0.01}};
  ctnn::load_checkpoint(dir / "bn.safetensors", net, opt);
  CHECK(net.get<1>().num_batches_tracked.item() == 4);
  const auto gru = ctnn::SafetensorsFile::read(dir / "gru.safetensors");
  CHECK(gru.find("model.0.weight_ih_l1")->shape == std::vector<std::int64_t>{12, 4});
  CHECK(gru.find("optimizer.state.4.exp_avg_sq")->shape == std::vector<std::int64_t>{12, 4});  // weight_ih_l1
  fs::remove_all(dir);
}

namespace {
/// `file` again with every one-column 2-D tensor stored 1-D, (R, 1) -> (R): what ctnn wrote
/// before its tensors kept their parameter's ndim.
std::vector<std::byte> with_1d_columns(const ctnn::SafetensorsFile& file) {
  ctnn::SafetensorsWriter w;
  for (const auto& [key, value] : file.metadata()) w.set_metadata(key, value);
  for (const auto& t : file.tensors()) {
    auto shape = t.shape;
    if (shape.size() == 2 && shape[1] == 1) shape = {shape[0]};
    const auto data = file.data(t);
    w.add(t.name, *t.dtype, shape, std::vector<std::byte>(data.begin(), data.end()));
  }
  return w.bytes();
}
}  // namespace

TEST_CASE("optimizer state has its parameter's shape in a checkpoint; older 1-D columns still load", "[io][checkpoint]") {
  using Net = ctnn::Sequential<ctnn::Linear<1, 8>, ctnn::Tanh, ctnn::Linear<8, 1>>;
  using Opt = ctnn::optim::Adam<Net>;
  using Shape = std::vector<std::int64_t>;
  const fs::path dir = temp_dir();
  Net net = seeded<Net>(5);
  Opt opt{net, {.lr = 0.01, .amsgrad = true}};
  const Eigen::Matrix<float, 1, 6> x = Eigen::Matrix<float, 1, 6>::LinSpaced(-1, 1);
  const ctnn::MSELoss loss;
  for (int i = 0; i < 3; ++i) {
    const auto y = net.forward(x);
    opt.zero_grad();
    net.backward(loss.grad(y, x));
    opt.step();
  }
  ctnn::save_checkpoint(dir / "linear1.safetensors", net, opt);
  const auto file = ctnn::SafetensorsFile::read(dir / "linear1.safetensors");
  // PyTorch: nn.Linear(1, 8).weight is (8, 1), and so is every state tensor of it
  CHECK(file.find("model.0.weight")->shape == Shape{8, 1});
  CHECK(file.find("optimizer.state.0.exp_avg")->shape == Shape{8, 1});
  CHECK(file.find("optimizer.state.0.exp_avg_sq")->shape == Shape{8, 1});
  CHECK(file.find("optimizer.state.0.max_exp_avg_sq")->shape == Shape{8, 1});
  CHECK(file.find("optimizer.state.1.exp_avg")->shape == Shape{8});     // the bias is 1-D
  CHECK(file.find("optimizer.state.2.exp_avg")->shape == Shape{1, 8});  // nn.Linear(8, 1).weight
  CHECK(file.find("optimizer.state.3.exp_avg")->shape == Shape{1});
  CHECK(file.find("optimizer.state.0.step")->shape == Shape{});

  // loads into fresh objects: every bit of the state comes back
  const auto saved = ctnn::detail::checkpoint_writer(net, opt).bytes();
  auto load_fresh = [&](const fs::path& path) {
    Net other = seeded<Net>(6);
    Opt other_opt{other, {.lr = 0.5, .amsgrad = true}};
    ctnn::load_checkpoint(path, other, other_opt);
    return ctnn::detail::checkpoint_writer(other, other_opt).bytes();
  };
  CHECK(load_fresh(dir / "linear1.safetensors") == saved);

  // a checkpoint written before, with (8) where (8, 1) belongs, loads too: the same elements
  ctnn::SafetensorsWriter::write_file_atomically(dir / "old.safetensors", with_1d_columns(file));
  const auto old = ctnn::SafetensorsFile::read(dir / "old.safetensors");
  REQUIRE(old.find("optimizer.state.0.exp_avg")->shape == Shape{8});
  REQUIRE(old.find("model.0.weight")->shape == Shape{8});
  CHECK(load_fresh(dir / "old.safetensors") == saved);

  // another shape with the same count is refused, naming both
  {
    ctnn::SafetensorsWriter w;
    for (const auto& [key, value] : file.metadata()) w.set_metadata(key, value);
    for (const auto& t : file.tensors()) {
      const auto data = file.data(t);
      w.add(t.name, *t.dtype, t.name == "optimizer.state.0.exp_avg" ? Shape{2, 4} : t.shape,
            std::vector<std::byte>(data.begin(), data.end()));
    }
    w.write(dir / "bad.safetensors");
    Net other = seeded<Net>(6);
    Opt other_opt{other};
    CHECK_THROWS_WITH(ctnn::load_checkpoint(dir / "bad.safetensors", other, other_opt),
                      Catch::Contains("tensor 'optimizer.state.0.exp_avg': expected shape (8, 1), found (2, 4)"));
  }
  // load_safetensors keeps PyTorch's load_state_dict rule: a weight must have its own shape
  const auto weights_1d = with_1d_columns(ctnn::SafetensorsFile::parse(ctnn::to_safetensors(net)));
  CHECK_THAT(load_error<Net>(weights_1d), Catch::Contains("tensor '0.weight': expected shape (8, 1), found (8)"));
  fs::remove_all(dir);
}
