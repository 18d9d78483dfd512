#include "xrp_abi/bpfkv_database.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <system_error>

#include <sbpf/bpfkv.h>

#include "runtime/host_file.h"

namespace sbpf::xrp {
namespace {

static_assert(kBpfkvValueSize == BPFKV_VALUE_SIZE);

constexpr uint64_t kBlock = BPFKV_BLOCK_SIZE;
constexpr uint64_t kFanout = BPFKV_NODE_CAPACITY;
// Pointers keep the offset in bits 0-62.
constexpr uint64_t kMaxFileSize = BPFKV_FILE_MASK - 1;

std::runtime_error io_error(const std::string& path, const std::string& what) {
  return std::runtime_error(path + ": " + what);
}

// Takes no std::string built at the call, whose allocation could change
// errno before it is read.
std::runtime_error errno_error(const std::string& path, const char* what) {
  const int error = errno;
  return io_error(path, std::string(what) + ": " + std::strerror(error));
}

uint64_t ceil_div(uint64_t a, uint64_t b) { return a / b + (a % b != 0); }

// Where everything goes in the file. Levels are numbered from the leaves
// (level 0) up to the root (nodes.size() - 1), but laid out root first.
struct TreeShape {
  std::vector<uint64_t> nodes;   // per level
  std::vector<uint64_t> offset;  // per level: the file offset of its first node
  // Per level below the root: how many key indices a full node spans, so
  // node i's first key is key index i * span. Only spans below the root are
  // kept: a level with a second node has span < keys, so none overflows.
  std::vector<uint64_t> span;
  uint64_t log_offset = 0;
  uint64_t log_blocks = 0;
};

TreeShape shape_for(uint64_t keys, uint64_t fill) {
  TreeShape shape;
  // The empty database still has its root, an empty leaf.
  uint64_t count = std::max<uint64_t>(1, ceil_div(keys, fill));
  shape.nodes.push_back(count);
  uint64_t span = fill;
  while (count > 1) {
    shape.span.push_back(span);
    count = ceil_div(count, fill);
    shape.nodes.push_back(count);
    if (count > 1) span *= fill;
  }

  // Counted in blocks, which cannot overflow for any key count, and then
  // checked against what a pointer can address before turning into bytes.
  shape.offset.resize(shape.nodes.size());
  uint64_t block = 0;
  for (size_t level = shape.nodes.size(); level-- > 0;) {
    shape.offset[level] = block;
    block += shape.nodes[level];
  }
  shape.log_blocks = ceil_div(keys, BPFKV_LOG_CAPACITY);
  if (block + shape.log_blocks > kMaxFileSize / kBlock)
    throw std::invalid_argument("BPF-KV build: " + std::to_string(keys) +
                                " keys make a file past 2^63 bytes, which pointers cannot address");
  for (uint64_t& offset : shape.offset) offset *= kBlock;
  shape.log_offset = block * kBlock;
  return shape;
}

void validate(const BpfkvBuildOptions& options) {
  if (options.stride == 0) throw std::invalid_argument("BPF-KV build: the key stride must be at least 1");
  if (options.node_fill < 2 || options.node_fill > kFanout)
    throw std::invalid_argument("BPF-KV build: nodes hold 2 to " + std::to_string(kFanout) + " entries, not " +
                                std::to_string(options.node_fill));
  // The largest key, (keys - 1) * stride, must be at most UINT64_MAX - 1.
  if (options.keys > 1 && options.keys - 1 > (UINT64_MAX - 1) / options.stride)
    throw std::invalid_argument("BPF-KV build: " + std::to_string(options.keys) + " keys with stride " +
                                std::to_string(options.stride) +
                                " reach key 2^64-1 or beyond; the largest key must be below 2^64-1");
}

// Appends to a file through a large buffer: the database is written as one
// stream of 512-byte blocks, and one write(2) per block would dominate the
// build.
class BufferedFile {
 public:
  explicit BufferedFile(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) throw errno_error(path_, "cannot create");
    buffer_.reserve(kCapacity);
  }
  BufferedFile(const BufferedFile&) = delete;
  BufferedFile& operator=(const BufferedFile&) = delete;
  ~BufferedFile() {
    if (fd_ >= 0) ::close(fd_);
  }

  void append(const void* data, size_t size) {
    const auto* bytes = static_cast<const uint8_t*>(data);
    if (buffer_.size() + size > kCapacity) flush();
    buffer_.insert(buffer_.end(), bytes, bytes + size);
  }

  // Flushes and closes, reporting what a destructor could not: a full disk
  // may only show at close.
  void close() {
    flush();
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw errno_error(path_, "cannot write");
  }

 private:
  static constexpr size_t kCapacity = 1 << 20;

  void flush() {
    size_t done = 0;
    while (done < buffer_.size()) {
      ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw errno_error(path_, "cannot write");
      done += static_cast<size_t>(n);
    }
    buffer_.clear();
  }

  std::string path_;
  int fd_ = -1;
  std::vector<uint8_t> buffer_;
};

// Fills the unused slots with the last entry, as the format's search rule
// requires of a node with fewer than 31 entries.
void pad_node(bpfkv_node& node, size_t used) {
  for (size_t slot = used; slot < kFanout; ++slot) {
    node.key[slot] = node.key[used - 1];
    node.ptr[slot] = node.ptr[used - 1];
  }
}

void write_internal_level(BufferedFile& file, const TreeShape& shape, size_t level, uint64_t stride, uint64_t fill) {
  const uint64_t children = shape.nodes[level - 1];
  for (uint64_t i = 0; i < shape.nodes[level]; ++i) {
    bpfkv_node node{};
    node.type = BPFKV_INTERNAL;
    if (i + 1 < shape.nodes[level]) node.next = shape.offset[level] + (i + 1) * kBlock;
    // key[c] is the first key under child c, so the search rule sends a key
    // to the last child whose first key is not above it.
    size_t used = 0;
    for (uint64_t child = i * fill; child < children && used < fill; ++child, ++used) {
      node.key[used] = child * shape.span[level - 1] * stride;
      node.ptr[used] = bpfkv_encode(shape.offset[level - 1] + child * kBlock);
    }
    pad_node(node, used);
    file.append(&node, sizeof node);
  }
}

void write_leaf_level(BufferedFile& file, const TreeShape& shape, const BpfkvBuildOptions& options) {
  const uint64_t leaves = shape.nodes[0];
  for (uint64_t i = 0; i < leaves; ++i) {
    // The empty database's root keeps every slot 0: no file bit, no key.
    bpfkv_node node{};
    node.type = BPFKV_LEAF;
    if (i + 1 < leaves) node.next = shape.offset[0] + (i + 1) * kBlock;
    size_t used = 0;
    for (uint64_t index = i * options.node_fill; index < options.keys && used < options.node_fill;
         ++index, ++used) {
      node.key[used] = index * options.stride;
      node.ptr[used] = bpfkv_encode(shape.log_offset + index * kBpfkvValueSize);
    }
    if (used > 0) pad_node(node, used);
    file.append(&node, sizeof node);
  }
}

void write_value_log(BufferedFile& file, const BpfkvBuildOptions& options) {
  for (uint64_t index = 0; index < options.keys; ++index) {
    BpfkvValue value = bpfkv_value_for_key(index * options.stride);
    file.append(value.data(), value.size());
  }
  // A reader fetches whole blocks, the last one included.
  static constexpr std::array<uint8_t, kBlock> kZeroes{};
  uint64_t tail = options.keys % BPFKV_LOG_CAPACITY;
  if (tail != 0) file.append(kZeroes.data(), (BPFKV_LOG_CAPACITY - tail) * kBpfkvValueSize);
}

// Reads a database at offsets, checking the format as it goes: the
// reference must fail loudly on a bad file rather than return a plausible
// answer.
class DatabaseReader {
 public:
  explicit DatabaseReader(const std::string& path) : path_(path), file_(open_file(path)) {}

  bpfkv_node node_at(uint64_t offset) {
    bpfkv_node node;
    read_exactly(&node, sizeof node, offset);
    if (node.type != BPFKV_INTERNAL && node.type != BPFKV_LEAF)
      throw io_error(path_, "node at offset " + std::to_string(offset) + " has type " + std::to_string(node.type) +
                                ", neither internal nor leaf");
    return node;
  }

  BpfkvValue value_at(uint64_t ptr) {
    BpfkvValue value;
    read_exactly(value.data(), value.size(), offset_of(ptr));
    return value;
  }

  uint64_t offset_of(uint64_t ptr) const {
    if (!(ptr & BPFKV_FILE_MASK))
      throw io_error(path_, "pointer " + std::to_string(ptr) + " lacks the file bit (bit 63)");
    return ptr & ~BPFKV_FILE_MASK;
  }

  // The leaf a lookup of `key` ends in.
  bpfkv_node leaf_for(uint64_t key) {
    bpfkv_node node = node_at(0);
    for (int levels = 1; node.type == BPFKV_INTERNAL; ++levels) {
      if (levels == BPFKV_MAX_LEVELS)
        throw io_error(path_, "more than " + std::to_string(BPFKV_MAX_LEVELS) + " levels below the root");
      node = node_at(offset_of(node.ptr[search_slot(node, key)]));
    }
    return node;
  }

  // The search rule, done as a binary search: a node's keys never decrease,
  // so the first i >= 1 with key < key[i] is an upper bound.
  static size_t search_slot(const bpfkv_node& node, uint64_t key) {
    const uint64_t* first = node.key + 1;
    const uint64_t* last = node.key + kFanout;
    return static_cast<size_t>(std::upper_bound(first, last, key) - first);
  }

 private:
  static std::unique_ptr<runtime::HostFile> open_file(const std::string& path) {
    try {
      return std::make_unique<runtime::HostFile>(path);
    } catch (const std::system_error& e) {
      throw io_error(path, "cannot open: " + e.code().message());
    }
  }

  void read_exactly(void* out, size_t size, uint64_t offset) {
    bool whole = false;
    try {
      whole = file_->read_at(offset, std::span(static_cast<uint8_t*>(out), size));
    } catch (const std::system_error& e) {
      throw io_error(path_, "cannot read at offset " + std::to_string(offset) + ": " + e.code().message());
    }
    if (!whole)
      throw io_error(path_, "the file ends before the " + std::to_string(size) + " bytes at offset " +
                                std::to_string(offset));
  }

  std::string path_;
  std::unique_ptr<runtime::HostFile> file_;
};

// A leaf slot holds a key when its pointer has the file bit (the empty
// database's root has none) and it is not a padding repeat of the slot
// before.
bool holds_key(const bpfkv_node& leaf, size_t slot) {
  if (!(leaf.ptr[slot] & BPFKV_FILE_MASK)) return false;
  return slot == 0 || leaf.key[slot] != leaf.key[slot - 1] || leaf.ptr[slot] != leaf.ptr[slot - 1];
}

}  // namespace

void build_bpfkv_database(const std::string& path, const BpfkvBuildOptions& options) {
  validate(options);
  const TreeShape shape = shape_for(options.keys, options.node_fill);
  BufferedFile file(path);
  for (size_t level = shape.nodes.size() - 1; level > 0; --level)
    write_internal_level(file, shape, level, options.stride, options.node_fill);
  write_leaf_level(file, shape, options);
  write_value_log(file, options);
  file.close();
}

uint64_t bpfkv_depth(uint64_t keys, uint64_t node_fill) {
  if (node_fill < 2) throw std::invalid_argument("BPF-KV nodes hold at least 2 entries");
  uint64_t depth = 1;
  for (uint64_t nodes = std::max<uint64_t>(1, ceil_div(keys, node_fill)); nodes > 1; nodes = ceil_div(nodes, node_fill))
    ++depth;
  return depth;
}

std::optional<uint64_t> bpfkv_fill_for_depth(uint64_t keys, uint64_t depth) {
  // Depth only falls as nodes fill: the fullest nodes that still give it.
  for (uint64_t fill = kFanout; fill >= 2; --fill)
    if (bpfkv_depth(keys, fill) == depth) return fill;
  return std::nullopt;
}

BpfkvValue bpfkv_value_for_key(uint64_t key) {
  BpfkvValue value;
  value.fill(' ');
  char digits[20];  // enough for UINT64_MAX, so to_chars cannot fail
  const char* end = std::to_chars(digits, digits + sizeof digits, key).ptr;
  size_t length = static_cast<size_t>(end - digits);
  std::memcpy(value.data() + (kBpfkvValueSize - 1 - length), digits, length);
  value[kBpfkvValueSize - 1] = '\0';
  return value;
}

std::optional<BpfkvValue> bpfkv_reference_get(const std::string& path, uint64_t key) {
  DatabaseReader reader(path);
  bpfkv_node leaf = reader.leaf_for(key);
  size_t slot = DatabaseReader::search_slot(leaf, key);
  if (leaf.key[slot] != key || !(leaf.ptr[slot] & BPFKV_FILE_MASK)) return std::nullopt;
  return reader.value_at(leaf.ptr[slot]);
}

std::optional<uint64_t> bpfkv_reference_largest_key(const std::string& path) {
  DatabaseReader reader(path);
  // The search rule sends the largest possible key to the last leaf.
  bpfkv_node leaf = reader.leaf_for(UINT64_MAX);
  std::optional<uint64_t> largest;
  for (size_t slot = 0; slot < kFanout; ++slot)
    if (holds_key(leaf, slot)) largest = leaf.key[slot];
  return largest;
}

std::vector<std::pair<uint64_t, BpfkvValue>> bpfkv_reference_range(const std::string& path, uint64_t low,
                                                                   uint64_t high) {
  std::vector<std::pair<uint64_t, BpfkvValue>> results;
  if (low > high) return results;
  DatabaseReader reader(path);
  bpfkv_node leaf = reader.leaf_for(low);
  // Keys must rise strictly along the leaves; checking it also stops a
  // `next` chain that loops back.
  std::optional<uint64_t> previous;
  while (true) {
    for (size_t slot = 0; slot < kFanout; ++slot) {
      if (!holds_key(leaf, slot)) continue;
      uint64_t key = leaf.key[slot];
      if (previous && key <= *previous) throw io_error(path, "leaf keys out of order at key " + std::to_string(key));
      previous = key;
      if (key > high) return results;
      if (key >= low) results.emplace_back(key, reader.value_at(leaf.ptr[slot]));
    }
    if (leaf.next == 0) return results;
    uint64_t offset = leaf.next;  // a plain offset, unlike the other pointers
    leaf = reader.node_at(offset);
    if (leaf.type != BPFKV_LEAF)
      throw io_error(path, "node at offset " + std::to_string(offset) + ", a leaf's next, is not a leaf");
  }
}

}  // namespace sbpf::xrp
