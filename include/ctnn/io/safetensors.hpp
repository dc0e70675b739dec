/// @file Defines ctnn::save_safetensors and ctnn::load_safetensors: a model's parameters and
/// buffers in the safetensors format, under the names and shapes of PyTorch's state_dict()
/// for the same architecture ("0.weight" (out, in), "0.bias" (out), "bn.running_mean", ...).
///
/// PyTorch reads what ctnn writes with `model.load_state_dict(safetensors.torch.load_file(p))`
/// and ctnn reads what `safetensors.torch.save_file(model.state_dict(), p)` writes
/// (docs/interop.md). F32 and F64 load into float and double models alike; F16 and BF16 are
/// converted. Every file ctnn writes carries ctnn::architecture<Model> in its metadata, so a
/// file made for another architecture is refused with both descriptions in words.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ctnn/core/error.hpp"
#include "ctnn/core/scalar.hpp"
#include "ctnn/io/detail/dtype.hpp"
#include "ctnn/io/detail/state_dict.hpp"
#include "ctnn/io/fingerprint.hpp"
#include "ctnn/io/safetensors_file.hpp"

namespace ctnn {

/// Metadata keys ctnn writes (besides "format": "pt", which PyTorch tooling expects).
inline constexpr const char* architecture_key = "ctnn.architecture";
inline constexpr const char* scalar_type_key = "ctnn.scalar_type";

/// Every member has a default member initializer, so a designated initializer may name any
/// subset (`{.dtype = Dtype::F16}`) without -Wmissing-field-initializers under -Wextra.
struct SaveOptions {
  /// Store the tensors as this dtype (F16, BF16, F32, F64) instead of the model's own.
  std::optional<Dtype> dtype = std::nullopt;
  /// Extra "__metadata__" strings.
  std::map<std::string, std::string> metadata = {};
};

struct LoadOptions {
  /// As load_state_dict(strict=True): every tensor of the model must be in the file and
  /// every tensor of the file in the model, and the file's architecture (when it names one)
  /// must be the model's. With strict = false, what does not match is skipped and reported.
  bool strict = true;
  /// Refuse NaN and infinite values (a diverged training run saved by mistake).
  bool reject_non_finite = false;
};

/// What a load skipped (PyTorch's _IncompatibleKeys), empty after a strict load.
struct LoadResult {
  std::vector<std::string> missing_keys;     ///< in the model, not in the file: left as they were
  std::vector<std::string> unexpected_keys;  ///< in the file, not in the model: ignored
  std::string file_architecture;             ///< the file's ctnn.architecture ("" when it has none)
  bool architecture_matches = true;          ///< false when the file names another architecture
};

namespace detail {

inline std::string name_list(const std::vector<std::string>& names) {
  std::string s;
  const std::size_t shown = std::min<std::size_t>(names.size(), 12);
  for (std::size_t i = 0; i < shown; ++i) s += (i ? ", '" : "'") + names[i] + "'";
  if (shown < names.size()) s += " and " + std::to_string(names.size() - shown) + " more";
  return s;
}

/// Stages every slot from f, then (if nothing failed) commits them all. `what` opens every
/// message ("ctnn::load_safetensors: net.safetensors: ").
inline LoadResult load_state(state_list& state, const SafetensorsFile& f, const LoadOptions& options,
                             std::string_view model_architecture, const std::string& what) {
  LoadResult result;
  if (auto arch = f.metadata(architecture_key)) {
    result.file_architecture = *arch;
    result.architecture_matches = *arch == model_architecture;
    if (!result.architecture_matches && options.strict)
      detail::fail(what + "the file was written for another architecture:\n  file:  " + *arch +
                  "\n  model: " + std::string(model_architecture) +
                  "\n(strict = false loads it anyway, as far as the tensors' names and shapes agree)");
  }
  std::vector<const TensorInfo*> matched;
  for (auto& slot : state.slots()) {
    const TensorInfo* t = f.find(slot->name());
    if (!t) {
      result.missing_keys.push_back(slot->name());
      continue;
    }
    slot->stage(f, *t, options.reject_non_finite, what);
    matched.push_back(t);
  }
  for (const auto& t : f.tensors())
    if (std::find(matched.begin(), matched.end(), &t) == matched.end()) result.unexpected_keys.push_back(t.name);
  if (options.strict && (!result.missing_keys.empty() || !result.unexpected_keys.empty())) {
    std::string msg = what + "the file does not match the model";
    if (!result.missing_keys.empty()) {
      msg += "; missing tensors (the model expects them): ";
      bool first = true;
      for (const auto& name : result.missing_keys) {
        for (auto& slot : state.slots())
          if (slot->name() == name) msg += (first ? "'" : ", '") + name + "' " + slot->expected();
        first = false;
      }
    }
    if (!result.unexpected_keys.empty())
      msg += "; unexpected tensors (the model has no such entry): " + name_list(result.unexpected_keys);
    detail::fail(msg + " (load with strict = false to skip them)");
  }
  for (auto& slot : state.slots())
    if (f.find(slot->name())) slot->commit();
  return result;
}

template <class Model>
SafetensorsWriter model_writer(const Model& model, const SaveOptions& options) {
  if (options.dtype && !is_floating(*options.dtype))
    detail::fail("ctnn::save_safetensors: SaveOptions::dtype must be F16, BF16, F32 or F64, not " +
                std::string(dtype_name(*options.dtype)));
  SafetensorsWriter writer;
  writer.set_metadata("format", "pt");
  writer.set_metadata(architecture_key, std::string(architecture<Model>));
  writer.set_metadata(scalar_type_key, std::string(torch_dtype_name<scalar_of<Model>>()));
  for (const auto& [k, v] : options.metadata) writer.set_metadata(k, v);
  write_model_state(model, "", writer, options.dtype);
  return writer;
}

}  // namespace detail

/// The bytes of the safetensors file save_safetensors would write.
template <class Model>
std::vector<std::byte> to_safetensors(const Model& model, const SaveOptions& options = {}) {
  return detail::model_writer(model, options).bytes();
}

/// Writes model's parameters and buffers to `path` (torch.save of a state_dict, in the
/// safetensors format). Goes through a temporary file in the same folder and a rename, so
/// `path` holds either its old content or the whole new file.
template <class Model>
void save_safetensors(const Model& model, const std::filesystem::path& path, const SaveOptions& options = {}) {
  detail::model_writer(model, options).write(path);
}

/// Loads model's parameters and buffers from an already read file. On any error, throws
/// ctnn::Error naming the tensor, what was expected and what was found, and the model is
/// left exactly as it was.
template <class Model>
LoadResult load_safetensors(Model& model, const SafetensorsFile& file, const LoadOptions& options = {}) {
  detail::state_list state;
  detail::add_model_state(model, "", state);
  return detail::load_state(state, file, options, architecture<Model>,
                            "ctnn::load_safetensors: " + file.source() + ": ");
}

/// Loads model's parameters and buffers from the safetensors file at `path` (strict by
/// default, as load_state_dict). All or nothing: on error the model is unchanged.
template <class Model>
LoadResult load_safetensors(Model& model, const std::filesystem::path& path, const LoadOptions& options = {}) {
  return load_safetensors(model, SafetensorsFile::read(path), options);
}

}  // namespace ctnn
