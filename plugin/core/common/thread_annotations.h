// thread_annotations.h: clang -Wthread-safety annotations for lockdiag's
// shared structures. With GCC they expand to nothing; the comments they sit
// in still document the locking rules.
#ifndef LOCKDIAG_CORE_COMMON_THREAD_ANNOTATIONS_H_
#define LOCKDIAG_CORE_COMMON_THREAD_ANNOTATIONS_H_

#if defined(__clang__)
#define LOCKDIAG_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define LOCKDIAG_THREAD_ANNOTATION(x)
#endif

#define GUARDED_BY(x) LOCKDIAG_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) LOCKDIAG_THREAD_ANNOTATION(pt_guarded_by(x))
#define REQUIRES(...) LOCKDIAG_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) LOCKDIAG_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define CAPABILITY(x) LOCKDIAG_THREAD_ANNOTATION(capability(x))
#define ACQUIRE(...) LOCKDIAG_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) LOCKDIAG_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define SCOPED_CAPABILITY LOCKDIAG_THREAD_ANNOTATION(scoped_lockable)

#include <mutex>

namespace lockdiag {

// Mutex: std::mutex with the capability annotation, so that clang can check
// GUARDED_BY members. Not recursive.
class CAPABILITY("mutex") Mutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  // BasicLockable, for std::condition_variable_any (its waits release and
  // retake the Mutex inside a MutexLock scope).
  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

// MutexLock: holds a Mutex for the scope.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_COMMON_THREAD_ANNOTATIONS_H_
