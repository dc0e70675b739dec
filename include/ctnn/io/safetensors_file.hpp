/// @file Defines ctnn::SafetensorsFile and ctnn::SafetensorsWriter: the safetensors format
/// itself, without models (the tensors of any file, as Python's safetensors.safe_open).
///
/// Format: an 8-byte little-endian unsigned header length N, N bytes of JSON
///   {"__metadata__": {"key": "value", ...},
///    "<name>": {"dtype": "F32", "shape": [128, 8], "data_offsets": [begin, end]}, ...}
/// then the data: each tensor's elements little-endian, row-major, at [begin, end) of the
/// bytes after the header. The reader checks everything a hostile file can get wrong (it is
/// fuzzed, tests/fuzz/) and throws ctnn::Error with a sentence naming the file, the tensor,
/// what was expected and what was found. It never reads outside the file's bytes.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#if __has_include(<unistd.h>)
#include <unistd.h>  // fsync, getpid
#define CTNN_HAS_FSYNC 1
#else
#define CTNN_HAS_FSYNC 0
#endif

#include "ctnn/core/error.hpp"
#include "ctnn/io/detail/dtype.hpp"

namespace ctnn {

/// One tensor's entry in a safetensors header.
struct TensorInfo {
  std::string name;
  std::string dtype_name;              ///< as in the file: "F32", "BF16", "I8", ...
  std::optional<Dtype> dtype;          ///< empty for dtypes ctnn cannot convert (I8, U8, BOOL, ...)
  std::vector<std::int64_t> shape;     ///< PyTorch's shape; empty for a 0-dim tensor
  std::size_t numel = 1;               ///< product of shape
  std::size_t begin = 0, end = 0;      ///< data_offsets, relative to the start of the data
};

/// "(128, 8)", "(128)" or "()": a shape as the messages print it.
inline std::string format_shape(std::span<const std::int64_t> shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + ")";
}

namespace detail {

/// Bytes per element of every dtype the format defines, so that files holding tensors ctnn
/// does not convert (I8, BOOL, F8_E4M3, ...) are still checked and listed.
inline std::optional<std::size_t> format_dtype_size(std::string_view name) {
  static constexpr std::pair<std::string_view, std::size_t> table[] = {
      {"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E5M2", 1}, {"F8_E4M3", 1}, {"I16", 2}, {"U16", 2},
      {"F16", 2},  {"BF16", 2}, {"I32", 4}, {"U32", 4},     {"F32", 4},     {"I64", 8}, {"U64", 8},
      {"F64", 8}};
  for (const auto& [n, size] : table)
    if (n == name) return size;
  return std::nullopt;
}

/// The format caps the JSON header at 100 MB (as the reference implementation does), so a
/// hostile length cannot make the reader allocate without bound.
inline constexpr std::uint64_t max_header_bytes = 100'000'000;

inline bool checked_mul(std::size_t a, std::size_t b, std::size_t& out) { return !__builtin_mul_overflow(a, b, &out); }

}  // namespace detail

/// A safetensors file held in memory and checked: its metadata and its tensors (sorted by
/// name), each with a view of its bytes.
class SafetensorsFile {
 public:
  /// Reads and checks the file at `path`.
  static SafetensorsFile read(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) detail::fail(path.string() + ": is a folder, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) detail::fail(path.string() + ": cannot open the file for reading");
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size < 0) detail::fail(path.string() + ": cannot determine the size of the file");
    in.seekg(0, std::ios::beg);
    std::vector<std::byte> bytes;
#if defined(__cpp_exceptions)
    try {
      bytes.resize(static_cast<std::size_t>(size));
    } catch (const std::exception&) {  // bad_alloc, length_error
      detail::fail(path.string() + ": the file (" + std::to_string(size) + " bytes) does not fit in memory");
    }
#else
    if (static_cast<std::uintmax_t>(size) > bytes.max_size())
      detail::fail(path.string() + ": the file (" + std::to_string(size) + " bytes) does not fit in memory");
    bytes.resize(static_cast<std::size_t>(size));  // without exceptions, running out of memory aborts
#endif
    if (!bytes.empty() && !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size)))
      detail::fail(path.string() + ": reading the file failed");
    return parse(std::move(bytes), path.string());
  }

  /// Checks bytes that hold a whole safetensors file; `source` names it in messages.
  static SafetensorsFile parse(std::vector<std::byte> bytes, std::string source = "<memory>") {
    SafetensorsFile f;
    f.bytes_ = std::move(bytes);
    f.source_ = std::move(source);
    f.check();
    return f;
  }
  static SafetensorsFile parse(std::span<const std::byte> bytes, std::string source = "<memory>") {
    return parse(std::vector<std::byte>(bytes.begin(), bytes.end()), std::move(source));
  }

  /// The file's name (or "<memory>"), as messages print it.
  const std::string& source() const { return source_; }
  /// The "__metadata__" strings (empty when the file has none).
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  /// The metadata value for `key`, if present.
  std::optional<std::string> metadata(const std::string& key) const {
    auto it = metadata_.find(key);
    if (it == metadata_.end()) return std::nullopt;
    return it->second;
  }
  /// Every tensor, sorted by name.
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  /// The tensor called `name`, or nullptr.
  const TensorInfo* find(std::string_view name) const {
    auto it = std::lower_bound(tensors_.begin(), tensors_.end(), name,
                               [](const TensorInfo& t, std::string_view n) { return t.name < n; });
    return it != tensors_.end() && it->name == name ? &*it : nullptr;
  }
  /// The raw little-endian bytes of a tensor of this file.
  std::span<const std::byte> data(const TensorInfo& t) const {
    return std::span<const std::byte>(bytes_).subspan(data_start_ + t.begin, t.end - t.begin);
  }

 private:
  SafetensorsFile() = default;

  [[noreturn]] void fail(const std::string& what) const { detail::fail(source_ + ": " + what); }
  [[noreturn]] void fail_tensor(const std::string& name, const std::string& what) const {
    fail("tensor '" + name + "': " + what);
  }

  void check() {
    if (bytes_.size() < 8)
      fail("the file is truncated: it has " + std::to_string(bytes_.size()) +
           " bytes, fewer than the 8 bytes of the header length (is it a safetensors file?)");
    const std::uint64_t n = detail::load_le<std::uint64_t>(bytes_.data());
    const std::size_t rest = bytes_.size() - 8;
    if (n > rest)
      fail("the header length says " + std::to_string(n) + " bytes but only " + std::to_string(rest) +
           " bytes follow it (truncated file, or not a safetensors file)");
    if (n > detail::max_header_bytes)
      fail("the header length " + std::to_string(n) + " is larger than the format's limit of 100 MB");
    data_start_ = 8 + static_cast<std::size_t>(n);
    const std::string_view text(reinterpret_cast<const char*>(bytes_.data()) + 8, static_cast<std::size_t>(n));
    if (text.empty() || text.front() != '{')
      fail("the header must be a JSON object starting with '{' (found " +
           (text.empty() ? std::string("an empty header") : "a header starting with byte " +
                                                                std::to_string(static_cast<unsigned char>(text.front()))) +
           ")");
    const nlohmann::json header = parse_json(text);
    const std::size_t data_size = bytes_.size() - data_start_;
    for (const auto& [key, value] : header.items()) {
      if (key == "__metadata__") {
        read_metadata(value);
      } else {
        tensors_.push_back(read_tensor(key, value, data_size));
      }
    }
    std::sort(tensors_.begin(), tensors_.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    check_layout(data_size);
  }

  // The JSON header, parsed by nlohmann-json. The callback rejects nesting deeper than the
  // format's (object > tensor object > shape array) and duplicate keys, which JSON allows but
  // which would make the file mean two things.
  nlohmann::json parse_json(std::string_view text) const {
    std::vector<std::set<std::string>> keys;
    auto callback = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
      using E = nlohmann::json::parse_event_t;
      if (event == E::object_start || event == E::array_start) {
        if (depth >= 3) fail("the JSON header nests deeper than the format allows");
        if (event == E::object_start) keys.emplace_back();
      } else if (event == E::object_end) {
        keys.pop_back();
      } else if (event == E::key) {
        const auto& k = parsed.get_ref<const std::string&>();
        if (!keys.back().insert(k).second)
          fail("the JSON header has the key '" + k + "' twice in one object");
      }
      return true;
    };
#if defined(__cpp_exceptions)
    try {
      return nlohmann::json::parse(text.begin(), text.end(), callback);
    } catch (const nlohmann::json::exception& e) {
      fail(std::string("the JSON header is malformed: ") + e.what());
    }
#else
    // Without exceptions nlohmann reports a syntax error as a discarded value, without details.
    nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/false);
    if (j.is_discarded()) fail("the JSON header is malformed");
    return j;
#endif
  }

  void read_metadata(const nlohmann::json& value) {
    if (!value.is_object()) fail("'__metadata__' must be an object of strings, found " + std::string(value.type_name()));
    for (const auto& [k, v] : value.items()) {
      if (!v.is_string())
        fail("'__metadata__' entry '" + k + "' must be a string, found " + std::string(v.type_name()));
      metadata_.emplace(k, v.get<std::string>());
    }
  }

  std::size_t read_size(const std::string& name, const nlohmann::json& v, const char* what) const {
    // JSON numbers arrive as unsigned, signed or floating; only non-negative integers are sizes
    if (!v.is_number_unsigned())
      fail_tensor(name, std::string(what) + " must hold non-negative integers, found " + v.dump());
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(SIZE_MAX)) fail_tensor(name, std::string(what) + " value " + v.dump() + " is too large");
    return static_cast<std::size_t>(u);
  }

  TensorInfo read_tensor(const std::string& name, const nlohmann::json& value, std::size_t data_size) const {
    if (!value.is_object())
      fail_tensor(name, "the entry must be an object with dtype, shape and data_offsets, found " +
                            std::string(value.type_name()));
    for (const auto& [k, v] : value.items()) {
      (void)v;
      if (k != "dtype" && k != "shape" && k != "data_offsets") fail_tensor(name, "unknown field '" + k + "'");
    }
    for (const char* field : {"dtype", "shape", "data_offsets"})
      if (!value.contains(field)) fail_tensor(name, std::string("the entry has no '") + field + "'");
    TensorInfo t;
    t.name = name;
    const auto& dtype = value["dtype"];
    if (!dtype.is_string()) fail_tensor(name, "dtype must be a string, found " + dtype.dump());
    t.dtype_name = dtype.get<std::string>();
    const auto elem = detail::format_dtype_size(t.dtype_name);
    if (!elem) fail_tensor(name, "unknown dtype '" + t.dtype_name + "'");
    t.dtype = dtype_from_name(t.dtype_name);

    const auto& shape = value["shape"];
    if (!shape.is_array()) fail_tensor(name, "shape must be an array, found " + shape.dump());
    for (const auto& d : shape) {
      const std::size_t dim = read_size(name, d, "shape");
      if (dim > static_cast<std::size_t>(INT64_MAX) || !detail::checked_mul(t.numel, dim, t.numel))
        fail_tensor(name, "the shape " + shape.dump() + " has more elements than memory can hold");
      t.shape.push_back(static_cast<std::int64_t>(dim));
    }
    std::size_t nbytes = 0;
    if (!detail::checked_mul(t.numel, *elem, nbytes))
      fail_tensor(name, "the shape " + shape.dump() + " has more bytes than memory can hold");

    const auto& offsets = value["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2)
      fail_tensor(name, "data_offsets must be an array [begin, end], found " + offsets.dump());
    t.begin = read_size(name, offsets[0], "data_offsets");
    t.end = read_size(name, offsets[1], "data_offsets");
    if (t.begin > t.end) fail_tensor(name, "data_offsets " + offsets.dump() + " end before they begin");
    if (t.end > data_size)
      fail_tensor(name, "data_offsets " + offsets.dump() + " reach past the end of the data (" +
                            std::to_string(data_size) + " bytes; truncated file?)");
    if (t.end - t.begin != nbytes)
      fail_tensor(name, "data_offsets " + offsets.dump() + " span " + std::to_string(t.end - t.begin) +
                            " bytes, but " + t.dtype_name + " " + ctnn::format_shape(t.shape) + " needs " +
                            std::to_string(nbytes));
    return t;
  }

  // Tensors may not overlap and the data may have no holes (the format's rule, which keeps
  // one file from meaning two things).
  void check_layout(std::size_t data_size) const {
    std::vector<const TensorInfo*> by_offset;
    for (const auto& t : tensors_)
      if (t.end > t.begin) by_offset.push_back(&t);
    std::sort(by_offset.begin(), by_offset.end(), [](auto* a, auto* b) { return a->begin < b->begin; });
    std::size_t covered = 0;
    const TensorInfo* prev = nullptr;
    for (const TensorInfo* t : by_offset) {
      if (t->begin < covered)
        fail_tensor(t->name, "its data [" + std::to_string(t->begin) + ", " + std::to_string(t->end) +
                                 ") overlaps that of tensor '" + prev->name + "' [" + std::to_string(prev->begin) +
                                 ", " + std::to_string(prev->end) + ")");
      if (t->begin > covered)
        fail("the bytes [" + std::to_string(covered) + ", " + std::to_string(t->begin) +
             ") of the data belong to no tensor (the format allows no holes)");
      covered = t->end;
      prev = t;
    }
    if (covered != data_size)
      fail("the last " + std::to_string(data_size - covered) +
           " bytes of the data belong to no tensor (the format allows no holes)");
  }

  std::vector<std::byte> bytes_;
  std::string source_;
  std::size_t data_start_ = 0;
  std::map<std::string, std::string> metadata_;
  std::vector<TensorInfo> tensors_;
};

/// Builds a safetensors file: tensors (already encoded little-endian) and metadata, then
/// bytes() or write(path). write() goes through a temporary file in the same folder and a
/// rename, so a crash leaves either the old file or the new one, never half of one.
class SafetensorsWriter {
 public:
  void set_metadata(const std::string& key, const std::string& value) { metadata_[key] = value; }

  /// Adds a tensor of `dtype` and `shape` whose row-major little-endian bytes are `data`.
  void add(std::string name, Dtype dtype, std::vector<std::int64_t> shape, std::vector<std::byte> data) {
    if (name == "__metadata__") detail::fail("ctnn::SafetensorsWriter: '__metadata__' is not a tensor name");
    std::size_t numel = 1;
    for (auto d : shape) {
      if (d < 0) detail::fail("ctnn::SafetensorsWriter: tensor '" + name + "' has a negative dimension");
      numel *= static_cast<std::size_t>(d);
    }
    if (data.size() != numel * dtype_size(dtype))
      detail::fail("ctnn::SafetensorsWriter: tensor '" + name + "' " + ctnn::format_shape(shape) + " of " +
                  std::string(dtype_name(dtype)) + " needs " + std::to_string(numel * dtype_size(dtype)) +
                  " bytes, got " + std::to_string(data.size()));
    for (const auto& e : entries_)
      if (e.name == name) detail::fail("ctnn::SafetensorsWriter: tensor '" + name + "' was added twice");
    entries_.push_back({std::move(name), dtype, std::move(shape), std::move(data)});
  }

  /// Adds a floating tensor from row-major values, converted to `dtype` (F16/BF16 round to
  /// nearest even).
  template <class T>
  void add_values(std::string name, Dtype dtype, std::vector<std::int64_t> shape, std::span<const T> values) {
    std::vector<std::byte> data(values.size() * dtype_size(dtype));
    for (std::size_t i = 0; i < values.size(); ++i) {
      if constexpr (std::is_integral_v<T>) {
        if (dtype == Dtype::I64) {
          detail::write_integer(data.data(), i, static_cast<std::int64_t>(values[i]));
          continue;
        }
      }
      detail::write_element(dtype, data.data(), i, static_cast<double>(values[i]));
    }
    add(std::move(name), dtype, std::move(shape), std::move(data));
  }

  /// The whole file. Tensors are laid out widest dtype first, then by name, so every tensor
  /// starts at a multiple of its element size; the header is padded with spaces to a multiple
  /// of 8 bytes, as the reference implementation does.
  std::vector<std::byte> bytes() const {
    std::vector<const Entry*> order;
    for (const auto& e : entries_) order.push_back(&e);
    std::sort(order.begin(), order.end(), [](const Entry* a, const Entry* b) {
      if (dtype_size(a->dtype) != dtype_size(b->dtype)) return dtype_size(a->dtype) > dtype_size(b->dtype);
      return a->name < b->name;
    });
    nlohmann::json header = nlohmann::json::object();
    if (!metadata_.empty()) header["__metadata__"] = metadata_;
    std::size_t offset = 0;
    for (const Entry* e : order) {
      header[e->name] = {{"dtype", dtype_name(e->dtype)},
                         {"shape", e->shape},
                         {"data_offsets", {offset, offset + e->data.size()}}};
      offset += e->data.size();
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    std::vector<std::byte> out(8 + text.size() + offset);
    detail::store_le<std::uint64_t>(out.data(), text.size());
    std::memcpy(out.data() + 8, text.data(), text.size());
    std::size_t at = 8 + text.size();
    for (const Entry* e : order) {
      if (!e->data.empty()) std::memcpy(out.data() + at, e->data.data(), e->data.size());
      at += e->data.size();
    }
    return out;
  }

  /// Writes the file atomically: a temporary file beside `path`, flushed to disk, renamed.
  void write(const std::filesystem::path& path) const { write_file_atomically(path, bytes()); }

  /// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
  static void write_file_atomically(const std::filesystem::path& path, const std::vector<std::byte>& bytes) {
    std::filesystem::path tmp = path;
    tmp += ".tmp" + std::to_string(temp_suffix());
    std::FILE* f = std::fopen(tmp.string().c_str(), "wb");
    if (!f) detail::fail(path.string() + ": cannot create the temporary file " + tmp.string() + " for writing");
    bool ok = bytes.empty() || std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    ok = std::fflush(f) == 0 && ok;
#if CTNN_HAS_FSYNC
    ok = ::fsync(::fileno(f)) == 0 && ok;
#endif
    ok = std::fclose(f) == 0 && ok;
    std::error_code ec;
    if (ok) std::filesystem::rename(tmp, path, ec);
    if (!ok || ec) {
      std::filesystem::remove(tmp, ec);
      detail::fail(path.string() + ": writing the file failed (disk full or no permission?); the previous file, if "
                                  "any, is unchanged");
    }
  }

 private:
  struct Entry {
    std::string name;
    Dtype dtype;
    std::vector<std::int64_t> shape;
    std::vector<std::byte> data;
  };

  static unsigned long long temp_suffix() {
    static std::atomic<unsigned long long> counter{0};
#if CTNN_HAS_FSYNC
    return static_cast<unsigned long long>(::getpid()) * 1000003ull + counter++;
#else
    return counter++;
#endif
  }

  std::map<std::string, std::string> metadata_;
  std::vector<Entry> entries_;
};

}  // namespace ctnn

#undef CTNN_HAS_FSYNC
