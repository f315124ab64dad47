// ThreadPool: a named, bounded pool of worker threads. Submit() refuses work when the queue is
// full instead of letting it grow (the HTTP layer answers 429). Thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace stela::api {

class ThreadPool {
 public:
  // `nice_increment` lowers the workers' scheduling priority by that much (nice 0..19) from the
  // creating thread's.
  ThreadPool(std::string name, std::size_t threads, std::size_t max_queue, int nice_increment = 0);
  ~ThreadPool();  // finishes the queued work, then joins
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // False when the queue is full (or the pool is stopping); the task is then not run.
  bool Submit(std::function<void()> task);
  std::size_t queued() const;
  std::size_t rejected() const;

 private:
  void Loop();
  std::string name_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // GUARDED_BY(mu_)
  std::size_t max_queue_;
  std::size_t rejected_ = 0;  // GUARDED_BY(mu_)
  bool stop_ = false;         // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;
};

}  // namespace stela::api
