#include "api/server/thread_pool.h"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <exception>

namespace stela::api {

ThreadPool::ThreadPool(std::string name, std::size_t threads, std::size_t max_queue,
                       int nice_increment)
    : name_(std::move(name)), max_queue_(max_queue) {
  // Threads start with their creator's nice value; Linux keeps one per thread.
  const int nice = std::clamp(getpriority(PRIO_PROCESS, 0) + std::max(0, nice_increment), -20, 19);
  for (std::size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this, i, nice, nice_increment] {
      const std::string thread_name = (name_ + "-" + std::to_string(i)).substr(0, 15);
      pthread_setname_np(pthread_self(), thread_name.c_str());
      if (nice_increment > 0) setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), nice);
      Loop();
    });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

bool ThreadPool::Submit(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (stop_ || queue_.size() >= max_queue_) {
      ++rejected_;
      return false;
    }
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

std::size_t ThreadPool::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

std::size_t ThreadPool::rejected() const {
  std::lock_guard lock(mu_);
  return rejected_;
}

void ThreadPool::Loop() {
  while (true) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      task();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "stela: task in pool %s threw: %s\n", name_.c_str(), e.what());
    } catch (...) {
      std::fprintf(stderr, "stela: task in pool %s threw\n", name_.c_str());
    }
  }
}

}  // namespace stela::api
