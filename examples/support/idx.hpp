/// @file Reads gzipped IDX files, the format of MNIST and Fashion-MNIST
/// (http://yann.lecun.com/exdb/mnist/): two zero bytes, a type byte (0x08: unsigned bytes,
/// the only type these data sets use), the number of dimensions, each dimension as a
/// big-endian 32-bit integer, then the elements in row-major order. zlib inflates the file
/// (gzopen/gzread), so a file that is not compressed is read as it is too.
///
/// Example code, not part of the library: it throws std::runtime_error with a message that
/// names the file and, when the file is missing, the Debian package that provides it.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace idx {

/// An IDX array of unsigned bytes: its dimensions and its elements, row-major.
struct Array {
  std::vector<std::size_t> dims;
  std::vector<std::uint8_t> data;
  std::size_t count(std::size_t from_dim = 0) const {
    std::size_t n = 1;
    for (std::size_t i = from_dim; i < dims.size(); ++i) n *= dims[i];
    return n;
  }
};

namespace detail {

struct gz_closer {
  void operator()(gzFile f) const { gzclose(f); }
};
using gz_ptr = std::unique_ptr<std::remove_pointer_t<gzFile>, gz_closer>;

/// Reads exactly n bytes or throws, naming the file and what was being read.
inline void read_exactly(gzFile f, const std::string& path, void* out, std::size_t n, const char* what) {
  auto* p = static_cast<unsigned char*>(out);
  while (n > 0) {
    // gzread takes an unsigned count and returns an int: read in chunks of at most 1 GiB
    const unsigned chunk = static_cast<unsigned>(n < (std::size_t{1} << 30) ? n : (std::size_t{1} << 30));
    const int got = gzread(f, p, chunk);
    if (got <= 0) {
      int code = Z_OK;
      const char* message = gzerror(f, &code);
      throw std::runtime_error(path + ": " +
                               (got < 0 || code != Z_OK ? std::string("cannot read the ") + what + " (zlib: " + message + ")"
                                                        : std::string("the file ends inside the ") + what));
    }
    p += got;
    n -= static_cast<std::size_t>(got);
  }
}

}  // namespace detail

/// The array in `path` (gzipped or not). `package` names what provides the file, for the
/// message when it is missing ("install Debian's dataset-fashion-mnist ...").
inline Array read(const std::filesystem::path& path, const std::string& package = "") {
  const std::string name = path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw std::runtime_error(name + ": no such file" +
                             (package.empty() ? std::string()
                                              : "; install Debian's " + package + " (sudo apt-get install " + package +
                                                    "), or give the directory that holds the files"));
  detail::gz_ptr f(gzopen(name.c_str(), "rb"));
  if (!f) throw std::runtime_error(name + ": cannot open it");
  gzbuffer(f.get(), 1 << 17);  // fewer, larger reads than zlib's default of 8 KiB

  unsigned char magic[4];
  detail::read_exactly(f.get(), name, magic, 4, "IDX header");
  if (magic[0] != 0 || magic[1] != 0)
    throw std::runtime_error(name + ": not an IDX file (its first two bytes are not zero)");
  if (magic[2] != 0x08) {
    const char hex[] = "0123456789abcdef";
    throw std::runtime_error(name + ": IDX type 0x" + hex[magic[2] >> 4] + hex[magic[2] & 15] +
                             " is not 0x08 (unsigned bytes), the only type this reader takes");
  }
  if (magic[3] == 0) throw std::runtime_error(name + ": an IDX array of 0 dimensions");

  Array a;
  for (int d = 0; d < magic[3]; ++d) {
    unsigned char b[4];
    detail::read_exactly(f.get(), name, b, 4, "IDX header");
    const std::uint32_t n = std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3];
    a.dims.push_back(n);
  }
  std::size_t n = 1;
  for (std::size_t d : a.dims) {
    if (d != 0 && n > (std::size_t{1} << 40) / d)
      throw std::runtime_error(name + ": the IDX header promises more than 1 TiB of data");
    n *= d;
  }
  a.data.resize(n);
  detail::read_exactly(f.get(), name, a.data.data(), n, "IDX data");
  unsigned char extra;
  if (gzread(f.get(), &extra, 1) != 0)
    throw std::runtime_error(name + ": more bytes than the IDX header's dimensions account for");
  return a;
}

}  // namespace idx
