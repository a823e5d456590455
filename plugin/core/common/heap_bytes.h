// heap_bytes.h: what a container holds on the heap, counted the way glibc's
// malloc counts it (mallinfo2().uordblks): each block rounded up to 16 bytes
// with its 8-byte header, 32 bytes at least. Lockdiag_memory_bytes adds
// these up, so that it is the real heap, buffers' capacity included
// (tests/unit/lock/memory_accounting_test.cc checks it against the
// allocator).
//
//   size_t bytes = StringHeap(name) + VectorHeap(rows) + HashSetHeap(seen);
#ifndef LOCKDIAG_CORE_COMMON_HEAP_BYTES_H_
#define LOCKDIAG_CORE_COMMON_HEAP_BYTES_H_

#include <cstddef>
#include <string>
#include <vector>

namespace lockdiag {

// MallocBlock: the heap one malloc(n) takes.
constexpr size_t MallocBlock(size_t n) {
  if (n == 0) return 0;
  const size_t block = (n + 8 + 15) & ~size_t{15};
  return block < 32 ? 32 : block;
}

// StringHeap: libstdc++ keeps up to 15 characters in the string itself.
inline size_t StringHeap(const std::string& s) {
  return s.capacity() > 15 ? MallocBlock(s.capacity() + 1) : 0;
}

// VectorHeap: the element buffer only (what the elements own is the caller's).
template <typename T>
size_t VectorHeap(const std::vector<T>& v) {
  return MallocBlock(v.capacity() * sizeof(T));
}

// HashSetHeap: an unordered set or map of `Node`-sized payloads: the bucket
// array (none while it has one bucket, kept inside the container) and one
// block per node (next pointer and payload; small integer keys do not cache
// their hash).
template <typename Set>
size_t HashSetHeap(const Set& s, size_t payload) {
  const size_t buckets = s.bucket_count() > 1 ? MallocBlock(s.bucket_count() * sizeof(void*)) : 0;
  return buckets + s.size() * MallocBlock(sizeof(void*) + payload);
}

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_COMMON_HEAP_BYTES_H_
