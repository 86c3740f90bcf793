#include "converters/h5/layout.h"

#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "converters/crc32c.h"
#include "pipeline/core/error.h"

namespace vidpred::h5 {
namespace fs = std::filesystem;

namespace {

constexpr const char* kConverterVersion = "vidpred 0.1";

Handle make_space(std::vector<hsize_t> dims, std::vector<hsize_t> maxdims = {}) {
  return Handle(check(H5Screate_simple(int(dims.size()), dims.data(),
                                       maxdims.empty() ? nullptr : maxdims.data()),
                      "HDF5 dataspace"));
}

void write_string_attribute(hid_t object, const char* name, const std::string& value,
                            const std::string& context) {
  Handle type(check(H5Tcopy(H5T_C_S1), context));
  H5Tset_size(type, std::max<size_t>(1, value.size()));
  H5Tset_strpad(type, H5T_STR_NULLPAD);
  Handle space(check(H5Screate(H5S_SCALAR), context));
  Handle attr(check(H5Acreate2(object, name, type, space, H5P_DEFAULT, H5P_DEFAULT), context));
  check_status(H5Awrite(attr, type, value.data()), context);
}

void write_int_attribute(hid_t object, const char* name, int64_t value, const std::string& context) {
  Handle space(check(H5Screate(H5S_SCALAR), context));
  Handle attr(check(H5Acreate2(object, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT), context));
  check_status(H5Awrite(attr, H5T_NATIVE_INT64, &value), context);
}

// Attribute values as text, whatever their type: for checking and for `inspect`.
herr_t collect_attribute(hid_t object, const char* name, const H5A_info_t*, void* data) {
  auto* out = static_cast<std::map<std::string, std::string>*>(data);
  Handle attr(H5Aopen(object, name, H5P_DEFAULT));
  if (!attr.valid()) return 0;
  Handle type(H5Aget_type(attr));
  switch (H5Tget_class(type)) {
    case H5T_INTEGER: {
      int64_t v = 0;
      if (H5Aread(attr, H5T_NATIVE_INT64, &v) >= 0) (*out)[name] = std::to_string(v);
      break;
    }
    case H5T_STRING: {
      if (H5Tis_variable_str(type) > 0) break;
      std::string v(H5Tget_size(type), '\0');
      if (H5Aread(attr, type, v.data()) >= 0) (*out)[name] = std::string(v.c_str());
      break;
    }
    default:
      break;
  }
  return 0;
}

template <class T>
void write_table(hid_t file, const char* name, hid_t file_type, hid_t mem_type,
                 const std::vector<T>& values, std::vector<hsize_t> dims, const std::string& context) {
  Handle space = make_space(dims);
  Handle dcpl(check(H5Pcreate(H5P_DATASET_CREATE), context));
  H5Pset_obj_track_times(dcpl, false);
  Handle dset(check(H5Dcreate2(file, name, file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), context));
  if (!values.empty()) check_status(H5Dwrite(dset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), context);
}

}  // namespace

Compression Compression::parse(std::string_view text) {
  Compression c;
  if (text == "none") {
    c.kind = Kind::none;
    return c;
  }
  if (text.substr(0, 7) == "deflate") {
    c.kind = Kind::deflate;
    if (text.size() == 7) return c;
    if (text[7] == ':' && text.size() == 9 && text[8] >= '1' && text[8] <= '9') {
      c.level = text[8] - '0';
      return c;
    }
  }
  throw Error(fmt::format("unknown compression '{}': use none, deflate or deflate:1..9", text));
}

std::string Compression::str() const {
  return kind == Kind::none ? "none" : fmt::format("deflate:{}", level);
}

// ---------------------------------------------------------------- writer

DatasetWriter::DatasetWriter(fs::path path, SplitInfo info, Compression compression)
    : file_(std::move(path)), info_(std::move(info)), compression_(compression) {
  quiet_errors();
  const std::string context = fmt::format("cannot create '{}'", file_.path().string());
  Handle fcpl(check(H5Pcreate(H5P_FILE_CREATE), context));
  h5file_ = Handle(check(H5Fcreate(file_.path().c_str(), H5F_ACC_TRUNC, fcpl, H5P_DEFAULT), context));

  write_int_attribute(h5file_, "layout_version", kLayoutVersion, context);
  write_int_attribute(h5file_, "frames", info_.frames, context);
  write_int_attribute(h5file_, "height", info_.height, context);
  write_int_attribute(h5file_, "width", info_.width, context);
  write_string_attribute(h5file_, "camera", info_.camera, context);
  write_string_attribute(h5file_, "compression", compression_.str(), context);
  write_string_attribute(h5file_, "converter_version", kConverterVersion, context);
  write_string_attribute(h5file_, "created_with", info_.created_with, context);
  write_string_attribute(h5file_, "split", info_.split, context);

  hsize_t T = info_.frames, H = info_.height, W = info_.width;
  Handle space = make_space({0, T, H, W, kChannels}, {H5S_UNLIMITED, T, H, W, kChannels});
  Handle dcpl(check(H5Pcreate(H5P_DATASET_CREATE), context));
  hsize_t chunk[5] = {1, T, H, W, kChannels};
  check_status(H5Pset_chunk(dcpl, 5, chunk), context);
  if (compression_.kind == Compression::Kind::deflate) {
    check_status(H5Pset_deflate(dcpl, compression_.level), context);
  }
  H5Pset_obj_track_times(dcpl, false);  // identical input gives identical bytes
  frames_ = Handle(check(
      H5Dcreate2(h5file_, "frames", H5T_STD_U8LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), context));
}

DatasetWriter::~DatasetWriter() {
  // Close before AtomicFile removes the uncommitted temporary file; the file
  // first, so that the dataset holds the last reference (see commit()).
  h5file_.reset();
  frames_.reset();
}

void DatasetWriter::check_shape(const Trajectory& t) const {
  if (t.frames != info_.frames || t.height != info_.height || t.width != info_.width) {
    throw Error(fmt::format("'{}': trajectory of {} frames of {}x{} does not fit a split of {} frames of {}x{}",
                            path().string(), t.frames, t.width, t.height, info_.frames, info_.width,
                            info_.height));
  }
}

std::string DatasetWriter::encode_chunk(const Trajectory& t, Compression compression) {
  const auto* data = t.pixels.data();
  size_t size = t.pixels.size();
  if (compression.kind == Compression::Kind::none) {
    return std::string(reinterpret_cast<const char*>(data), size);
  }
  uLongf bound = compressBound(size);
  std::string out(bound, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &bound, data, size, compression.level) != Z_OK) {
    throw Error("zlib compression failed");
  }
  out.resize(bound);
  return out;
}

void DatasetWriter::append(const Trajectory& t, std::string_view source_file, uint32_t source_record) {
  append(t, encode_chunk(t, compression_), source_file, source_record);
}

void DatasetWriter::append(const Trajectory& t, std::string_view chunk, std::string_view source_file,
                           uint32_t source_record) {
  check_shape(t);
  quiet_errors();
  const std::string context = fmt::format("cannot write '{}'", file_.path().string());
  hsize_t dims[5] = {count_ + 1, hsize_t(info_.frames), hsize_t(info_.height), hsize_t(info_.width),
                     kChannels};
  check_status(H5Dset_extent(frames_, dims), context);
  hsize_t offset[5] = {count_, 0, 0, 0, 0};
  check_status(H5Dwrite_chunk(frames_, H5P_DEFAULT, 0, offset, chunk.size(), chunk.data()), context);
  chunk_bytes_ += chunk.size();
  chunk_crc_.push_back(crc32c::value(chunk.data(), chunk.size()));

  actions_.insert(actions_.end(), t.actions.begin(), t.actions.end());
  endeffector_.insert(endeffector_.end(), t.endeffector.begin(), t.endeffector.end());
  auto it = source_index_.find(source_file);
  if (it == source_index_.end()) {
    it = source_index_.emplace(std::string(source_file), uint32_t(source_files_.size())).first;
    source_files_.emplace_back(source_file);
  }
  source_file_.push_back(it->second);
  source_record_.push_back(source_record);
  ++count_;
}

void DatasetWriter::commit() {
  quiet_errors();
  const std::string context = fmt::format("cannot write '{}'", file_.path().string());
  hsize_t n = count_, T = info_.frames;
  write_table(h5file_, "actions", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, actions_, {n, T, kActionDim}, context);
  write_table(h5file_, "endeffector", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, endeffector_,
              {n, T, kEndEffectorDim}, context);
  write_table(h5file_, "source_file", H5T_STD_U32LE, H5T_NATIVE_UINT32, source_file_, {n}, context);
  write_table(h5file_, "source_record", H5T_STD_U32LE, H5T_NATIVE_UINT32, source_record_, {n}, context);
  write_table(h5file_, "chunk_crc32c", H5T_STD_U32LE, H5T_NATIVE_UINT32, chunk_crc_, {n}, context);

  size_t longest = 1;
  for (const auto& s : source_files_) longest = std::max(longest, s.size());
  std::vector<char> names(longest * source_files_.size(), '\0');
  for (size_t i = 0; i < source_files_.size(); ++i) {
    std::memcpy(&names[i * longest], source_files_[i].data(), source_files_[i].size());
  }
  Handle string_type(check(H5Tcopy(H5T_C_S1), context));
  H5Tset_size(string_type, longest);
  H5Tset_strpad(string_type, H5T_STR_NULLPAD);
  write_table(h5file_, "source_files", string_type, string_type, names, {source_files_.size()}, context);

  // The file's identifier first: the file then really closes (and flushes)
  // when the dataset does, and a dataset's close releases everything even
  // when that flush fails on a full disk (see Handle::close).
  bool ok = h5file_.close();
  ok = frames_.close() && ok;
  if (!ok) throw Error(fmt::format("{}: {}", context, error_text()));
  file_.commit();
}

// ---------------------------------------------------------------- reader

namespace {

std::vector<hsize_t> dataset_dims(hid_t dset) {
  Handle space(H5Dget_space(dset));
  int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(std::max(rank, 0));
  if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

std::string shape_str(const std::vector<hsize_t>& dims) { return fmt::format("({})", fmt::join(dims, ", ")); }

// A file's datasets, opened and checked against what the layout says; every
// message names the file.
class DatasetChecks {
 public:
  DatasetChecks(hid_t file, std::string name) : file_(file), name_(std::move(name)) {}

  Handle open(const char* key) const {
    Handle dset(H5Dopen2(file_, key, H5P_DEFAULT));
    if (!dset.valid()) throw Error(fmt::format("'{}' has no '{}' dataset", name_, key));
    return dset;
  }

  void expect_shape(const char* key, hid_t dset, const std::vector<hsize_t>& expected) const {
    auto dims = dataset_dims(dset);
    if (dims != expected) {
      throw Error(fmt::format("'{}': dataset '{}' has shape {}, expected {}", name_, key, shape_str(dims),
                              shape_str(expected)));
    }
  }

  void expect_type(const char* key, hid_t dset, H5T_class_t cls, size_t size) const {
    Handle type(H5Dget_type(dset));
    if (H5Tget_class(type) != cls || H5Tget_size(type) != size) {
      throw Error(fmt::format("'{}': dataset '{}' has the wrong element type", name_, key));
    }
  }

  template <class T>
  void read_table(const char* key, hid_t mem_type, std::vector<T>& out, const std::vector<hsize_t>& shape,
                  H5T_class_t cls, size_t size) const {
    Handle dset = open(key);
    expect_shape(key, dset, shape);
    expect_type(key, dset, cls, size);
    size_t total = 1;
    for (auto d : shape) total *= d;
    out.resize(total);
    if (total > 0) {
      check_status(H5Dread(dset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()),
                   fmt::format("cannot read '{}' dataset '{}'", name_, key));
    }
  }

 private:
  hid_t file_;
  std::string name_;
};

}  // namespace

DatasetReader::DatasetReader(const fs::path& path) : path_(path) {
  quiet_errors();
  open_file();
  const long long version = read_attributes();
  open_frames();
  read_tables(version);
  read_source_files();
}

void DatasetReader::open_file() {
  const std::string name = path_.string();
  std::error_code ec;
  if (!fs::exists(path_, ec)) throw Error(fmt::format("'{}' does not exist", name));
  if (H5Fis_hdf5(path_.c_str()) <= 0) {
    throw Error(fmt::format("'{}' is not an HDF5 file (convert data with `vidpred convert`)", name));
  }
  h5file_ = Handle(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!h5file_.valid()) {
    throw Error(fmt::format("cannot open '{}': {} (truncated or damaged file?)", name, error_text()));
  }
}

long long DatasetReader::read_attributes() {
  const std::string name = path_.string();
  H5Aiterate2(h5file_, H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, collect_attribute, &attributes_);
  auto int_attr = [&](const char* key) {
    auto it = attributes_.find(key);
    if (it == attributes_.end()) {
      throw Error(fmt::format("'{}' is not a vidpred dataset: no '{}' attribute", name, key));
    }
    long long value = 0;
    const std::string& text = it->second;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
      throw Error(fmt::format("'{}': attribute '{}' is '{}', not an integer", name, key, text));
    }
    return value;
  };
  auto text_attr = [&](const char* key) {
    auto it = attributes_.find(key);
    return it == attributes_.end() ? std::string() : it->second;
  };
  long long version = int_attr("layout_version");
  if (version < kOldestLayoutVersion || version > kLayoutVersion) {
    throw Error(fmt::format("'{}' has layout version {}; this vidpred reads versions {} to {} (convert the data again)",
                            name, version, kOldestLayoutVersion, kLayoutVersion));
  }
  info_.frames = int(int_attr("frames"));
  info_.height = int(int_attr("height"));
  info_.width = int(int_attr("width"));
  info_.camera = text_attr("camera");
  info_.split = text_attr("split");
  info_.created_with = text_attr("created_with");
  if (info_.frames <= 0 || info_.height <= 0 || info_.width <= 0 || info_.frames > 100000 ||
      info_.height > 4096 || info_.width > 4096) {
    throw Error(fmt::format("'{}': implausible frames/height/width attributes {}/{}/{}", name,
                            info_.frames, info_.height, info_.width));
  }
  return version;
}

void DatasetReader::open_frames() {
  const DatasetChecks checks(h5file_, path_.string());
  frames_ = checks.open("frames");
  auto frame_dims = dataset_dims(frames_);
  if (frame_dims.empty()) throw Error(fmt::format("'{}': dataset 'frames' is not an array", path_.string()));
  count_ = frame_dims[0];
  hsize_t n = count_, T = info_.frames, H = info_.height, W = info_.width;
  checks.expect_shape("frames", frames_, {n, T, H, W, kChannels});
  checks.expect_type("frames", frames_, H5T_INTEGER, 1);

  Handle dcpl(H5Dget_create_plist(frames_));
  int filters = H5Pget_nfilters(dcpl);
  hsize_t chunk[5] = {};
  bool one_per_chunk = H5Pget_layout(dcpl) == H5D_CHUNKED && H5Pget_chunk(dcpl, 5, chunk) == 5 &&
                       chunk[0] == 1 && chunk[1] == T && chunk[2] == H && chunk[3] == W;
  compression_.kind = Compression::Kind::none;
  direct_chunks_ = one_per_chunk && filters <= 1;
  if (filters == 1) {
    unsigned flags = 0, values[8] = {};
    size_t nvalues = 8;
    H5Z_filter_t filter = H5Pget_filter2(dcpl, 0, &flags, &nvalues, values, 0, nullptr, nullptr);
    direct_chunks_ = direct_chunks_ && filter == H5Z_FILTER_DEFLATE;
    compression_.kind = Compression::Kind::deflate;
    compression_.level = nvalues > 0 ? int(values[0]) : 1;
  }
}

void DatasetReader::read_tables(long long version) {
  const DatasetChecks checks(h5file_, path_.string());
  hsize_t n = count_, T = info_.frames;
  checks.read_table("actions", H5T_NATIVE_FLOAT, actions_, {n, T, kActionDim}, H5T_FLOAT, 4);
  checks.read_table("endeffector", H5T_NATIVE_FLOAT, endeffector_, {n, T, kEndEffectorDim}, H5T_FLOAT, 4);
  checks.read_table("source_file", H5T_NATIVE_UINT32, source_file_, {n}, H5T_INTEGER, 4);
  checks.read_table("source_record", H5T_NATIVE_UINT32, source_record_, {n}, H5T_INTEGER, 4);
  if (version >= 2) checks.read_table("chunk_crc32c", H5T_NATIVE_UINT32, chunk_crc_, {n}, H5T_INTEGER, 4);
}

void DatasetReader::read_source_files() {
  const std::string name = path_.string();
  Handle names_dset = DatasetChecks(h5file_, name).open("source_files");
  Handle names_type(H5Dget_type(names_dset));
  auto names_dims = dataset_dims(names_dset);
  if (H5Tget_class(names_type) != H5T_STRING || H5Tis_variable_str(names_type) > 0 ||
      names_dims.size() != 1) {
    throw Error(fmt::format("'{}': dataset 'source_files' is not a list of fixed-length strings", name));
  }
  size_t width = H5Tget_size(names_type);
  std::vector<char> names(width * names_dims[0] + 1, '\0');
  if (names_dims[0] > 0) {
    check_status(H5Dread(names_dset, names_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, names.data()),
                 fmt::format("cannot read '{}' dataset 'source_files'", name));
  }
  for (hsize_t i = 0; i < names_dims[0]; ++i) {
    source_files_.emplace_back(&names[i * width], strnlen(&names[i * width], width));
  }
  for (size_t i = 0; i < count_; ++i) {
    if (source_file_[i] >= source_files_.size()) {
      throw Error(fmt::format("'{}': sample {} names source file {} of {}", name, i, source_file_[i],
                              source_files_.size()));
    }
  }
}

std::string DatasetReader::describe(size_t index) const {
  return fmt::format("'{}' sample {} (from {} record {})", path_.string(), index, source_file(index),
                     source_record(index));
}

RawChunk DatasetReader::read_chunk(size_t index) const {
  quiet_errors();
  if (index >= count_) {
    throw Error(fmt::format("'{}': sample {} out of range ({} samples)", path_.string(), index, count_));
  }
  RawChunk chunk;
  if (!direct_chunks_) {
    // A layout we do not decode ourselves: let HDF5 read the frames.
    chunk.bytes.resize(info_.frames * frame_bytes());
    hsize_t start[5] = {index, 0, 0, 0, 0};
    hsize_t count[5] = {1, hsize_t(info_.frames), hsize_t(info_.height), hsize_t(info_.width), kChannels};
    Handle file_space(H5Dget_space(frames_));
    H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr);
    Handle mem_space = make_space(std::vector<hsize_t>(count, count + 5));
    check_status(H5Dread(frames_, H5T_NATIVE_UINT8, mem_space, file_space, H5P_DEFAULT, chunk.bytes.data()),
                 fmt::format("cannot read {}", describe(index)));
    chunk.filter_mask = ~0u;  // marks "already decoded"
    return chunk;
  }
  hsize_t offset[5] = {index, 0, 0, 0, 0};
  hsize_t stored = 0;
  check_status(H5Dget_chunk_storage_size(frames_, offset, &stored),
               fmt::format("cannot read {}", describe(index)));
  chunk.bytes.resize(stored);
  check_status(H5Dread_chunk(frames_, H5P_DEFAULT, offset, &chunk.filter_mask, chunk.bytes.data()),
               fmt::format("cannot read {}", describe(index)));
  return chunk;
}

void DatasetReader::decode(const RawChunk& chunk, size_t index, int first, int count, uint8_t* out) const {
  if (first < 0 || count < 0 || first + count > info_.frames) {
    throw Error(fmt::format("{}: frames {}..{} out of range ({} frames)", describe(index), first,
                            first + count, info_.frames));
  }
  // Stored bytes as written (not HDF5's own read of another layout): a flipped
  // bit anywhere in the chunk is found, whichever frames are asked for.
  if (!chunk_crc_.empty() && chunk.filter_mask != ~0u &&
      crc32c::value(chunk.bytes.data(), chunk.bytes.size()) != chunk_crc_[index]) {
    throw Error(fmt::format("{}: stored chunk is damaged (CRC-32C mismatch)", describe(index)));
  }
  const size_t begin = first * frame_bytes(), size = count * frame_bytes();
  const size_t full = info_.frames * frame_bytes();
  bool compressed = chunk.filter_mask == 0 && compression_.kind == Compression::Kind::deflate;
  if (!compressed) {
    if (chunk.bytes.size() != full) {
      throw Error(fmt::format("{}: stored chunk has {} bytes, expected {}", describe(index),
                              chunk.bytes.size(), full));
    }
    std::memcpy(out, chunk.bytes.data() + begin, size);
    return;
  }
  // Inflate only as far as the last frame needed; the prefix before `first`
  // goes to `out` too and is overwritten, so no second buffer is needed when
  // first is 0 (the default window).
  std::vector<uint8_t> prefix(begin);
  z_stream z{};
  if (inflateInit(&z) != Z_OK) throw Error("zlib initialisation failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(chunk.bytes.data()));
  z.avail_in = static_cast<uInt>(chunk.bytes.size());
  int status = Z_OK;
  if (begin > 0) {
    z.next_out = prefix.data();
    z.avail_out = static_cast<uInt>(begin);
    status = inflate(&z, Z_SYNC_FLUSH);
  }
  if ((status == Z_OK || status == Z_STREAM_END) && z.avail_out == 0 && size > 0) {
    z.next_out = out;
    z.avail_out = static_cast<uInt>(size);
    status = inflate(&z, Z_SYNC_FLUSH);
  }
  bool ok = (status == Z_OK || status == Z_STREAM_END) && z.avail_out == 0;
  inflateEnd(&z);
  if (!ok) {
    throw Error(fmt::format("{}: stored chunk is damaged (zlib: {})", describe(index),
                            z.msg ? z.msg : "short data"));
  }
}

Trajectory DatasetReader::read(size_t index) const {
  Trajectory t;
  t.frames = info_.frames;
  t.height = info_.height;
  t.width = info_.width;
  t.pixels.resize(info_.frames * frame_bytes());
  decode(read_chunk(index), index, 0, info_.frames, t.pixels.data());
  const float* a = actions(index);
  t.actions.assign(a, a + info_.frames * kActionDim);
  const float* e = endeffector(index);
  t.endeffector.assign(e, e + info_.frames * kEndEffectorDim);
  return t;
}

}  // namespace vidpred::h5
