// One OpenCL device in use: its context, an in-order profiling queue, buffers and launches.
import CLBridge
import Foundation

/// A device buffer; released in `deinit` (never throws).
public final class CLBuffer {
    let mem: cl_mem
    public let bytes: Int
    /// For a sub-buffer, the buffer it lies in (kept alive while the sub-buffer is) and where.
    let parent: CLBuffer?
    let regionOffset: Int

    init(mem: cl_mem, bytes: Int, parent: CLBuffer? = nil, regionOffset: Int = 0) {
        self.mem = mem
        self.bytes = bytes
        self.parent = parent
        self.regionOffset = regionOffset
    }

    deinit { clReleaseMemObject(mem) }
}

/// A compiled kernel; released in `deinit`.
final class CLKernel {
    let kernel: cl_kernel
    let name: String

    init(kernel: cl_kernel, name: String) {
        self.kernel = kernel
        self.name = name
    }

    deinit { clReleaseKernel(kernel) }
}

/// The OpenCL context and queue of one device, with program building and kernel launches.
public final class CLRuntime {
    public let info: OpenCLDeviceInfo
    let context: cl_context
    let queue: cl_command_queue
    let programs: ProgramCache
    private var kernels: [String: CLKernel] = [:]
    /// When set, each launch waits for its kernel and adds its profiled time here (benchmarks).
    public var profiledNanoseconds: UInt64?
    /// When set, each launch waits for its kernel and adds its time under "kernel [global size]"
    /// (bench --kernels: where a network's time goes).
    public var profiledByKernel: [String: KernelTime]?

    public init(device info: OpenCLDeviceInfo) throws {
        self.info = info
        var status: cl_int = 0
        var device: cl_device_id? = info.deviceID
        guard let context = clCreateContext(nil, 1, &device, nil, nil, &status) else {
            throw CLError(code: status, call: "clCreateContext(\(info.name))")
        }
        let properties = cl_command_queue_properties(CL_QUEUE_PROFILING_ENABLE)
        guard let queue = clCreateCommandQueue(context, info.deviceID, properties, &status) else {
            clReleaseContext(context)
            throw CLError(code: status, call: "clCreateCommandQueue(\(info.name))")
        }
        self.context = context
        self.queue = queue
        self.programs = ProgramCache(device: info)
    }

    deinit {
        kernels.removeAll()
        programs.releaseAll()
        clReleaseCommandQueue(queue)
        clReleaseContext(context)
    }

    // MARK: Buffers

    public func makeBuffer(bytes: Int) throws -> CLBuffer {
        var status: cl_int = 0
        guard let mem = clCreateBuffer(context, cl_mem_flags(CL_MEM_READ_WRITE), max(bytes, 4), nil, &status) else {
            throw CLError(code: status, call: "clCreateBuffer(\(bytes) bytes)")
        }
        return CLBuffer(mem: mem, bytes: bytes)
    }

    /// The `bytes` bytes of `buffer` from byte `offset` as a buffer of their own (an OpenCL sub-buffer;
    /// `offset` a multiple of the device's `baseAddressAlignment`). Kernels that write it write `buffer`.
    func makeRegion(of buffer: CLBuffer, offset: Int, bytes: Int) throws -> CLBuffer {
        let root = buffer.parent ?? buffer
        let rootOffset = offset + buffer.regionOffset
        var region = cl_buffer_region(origin: rootOffset, size: max(bytes, 4))
        var status: cl_int = 0
        let flags = cl_mem_flags(CL_MEM_READ_WRITE)
        guard let mem = clCreateSubBuffer(
            root.mem, flags, cl_buffer_create_type(CL_BUFFER_CREATE_TYPE_REGION), &region, &status) else {
            throw CLError(code: status, call: "clCreateSubBuffer(\(bytes) bytes at \(rootOffset))")
        }
        return CLBuffer(mem: mem, bytes: bytes, parent: root, regionOffset: rootOffset)
    }

    /// Blocking copy host → device of `bytes` bytes at byte `offset`.
    public func write(_ buffer: CLBuffer, from source: UnsafeRawPointer, bytes: Int, offset: Int = 0) throws {
        guard bytes > 0 else { return }
        try check(clEnqueueWriteBuffer(queue, buffer.mem, cl_bool(CL_TRUE), offset, bytes, source, 0, nil, nil),
                  "clEnqueueWriteBuffer(\(bytes) bytes)")
        Counters.shared.addUpload(bytes)
    }

    /// Blocking copy device → host (waits for every queued launch first: the queue is in order).
    public func read(_ buffer: CLBuffer, into target: UnsafeMutableRawPointer, bytes: Int, offset: Int = 0) throws {
        guard bytes > 0 else { return }
        try check(clEnqueueReadBuffer(queue, buffer.mem, cl_bool(CL_TRUE), offset, bytes, target, 0, nil, nil),
                  "clEnqueueReadBuffer(\(bytes) bytes)")
        Counters.shared.addDownload(bytes)
    }

    public func finish() throws {
        try check(clFinish(queue), "clFinish")
    }

    // MARK: Kernels

    /// The kernel `name` from the program built from `files` (joined after common.cl, with
    /// `prelude` text such as generated #defines in front).
    func kernel(_ name: String, files: [String], prelude: String = "") throws -> CLKernel {
        let key = files.joined(separator: "+") + ":" + name + ":" + ProgramCache.hashHex([prelude])
        if let cached = kernels[key] { return cached }
        let program = try programs.program(files: files, prelude: prelude, context: context)
        var status: cl_int = 0
        guard let k = clCreateKernel(program, name, &status) else {
            throw CLError(code: status, call: "clCreateKernel(\(name) in \(files.joined(separator: ", ")))")
        }
        let made = CLKernel(kernel: k, name: name)
        kernels[key] = made
        return made
    }

    /// Sets the arguments in order and enqueues `kernel` over `global` work-items (rounded up
    /// to a multiple of `local` when given). Counted as one launch.
    func launch(_ kernel: CLKernel, global: [Int], local: [Int]? = nil, _ arguments: [KernelArgument]) throws {
        for (index, argument) in arguments.enumerated() {
            try argument.set(kernel, index: cl_uint(index))
        }
        var globalSize = global
        if let local {
            globalSize = zip(global, local).map { g, l in (g + l - 1) / l * l }
        }
        guard globalSize.allSatisfy({ $0 > 0 }) else { return }
        var event: cl_event?
        let wantEvent = profiledNanoseconds != nil || profiledByKernel != nil
        let status: cl_int = withUnsafeMutablePointer(to: &event) { eventPointer in
            globalSize.withUnsafeBufferPointer { g in
                (local ?? []).withUnsafeBufferPointer { l in
                    clEnqueueNDRangeKernel(queue, kernel.kernel, cl_uint(g.count), nil, g.baseAddress,
                                           local == nil ? nil : l.baseAddress, 0, nil, wantEvent ? eventPointer : nil)
                }
            }
        }
        try check(status, "clEnqueueNDRangeKernel(\(kernel.name), global \(globalSize), local \(local ?? []))")
        Counters.shared.addLaunch()
        if let event {
            defer { clReleaseEvent(event) }
            try check(clWaitForEvents(1, [event]), "clWaitForEvents(\(kernel.name))")
            var start: cl_ulong = 0, end: cl_ulong = 0
            try check(clGetEventProfilingInfo(event, cl_profiling_info(CL_PROFILING_COMMAND_START),
                                              MemoryLayout<cl_ulong>.size, &start, nil), "clGetEventProfilingInfo")
            try check(clGetEventProfilingInfo(event, cl_profiling_info(CL_PROFILING_COMMAND_END),
                                              MemoryLayout<cl_ulong>.size, &end, nil), "clGetEventProfilingInfo")
            profiledNanoseconds? += end &- start
            profiledByKernel?["\(kernel.name) \(globalSize)", default: KernelTime()].add(end &- start)
        }
    }
}

/// One kernel argument; `CLRuntime.launch` numbers them in order, so no call site counts indices.
enum KernelArgument {
    case buffer(CLBuffer)
    case int(Int32)
    case float(Float)
    case strided(StridedLayout)
    /// A by-value struct of 32-bit integers (e.g. conv2d.cl's ConvGeometry).
    case words([Int32])

    func set(_ kernel: CLKernel, index: cl_uint) throws {
        let status: cl_int
        switch self {
        case .buffer(let buffer):
            var mem: cl_mem? = buffer.mem
            status = clSetKernelArg(kernel.kernel, index, MemoryLayout<cl_mem>.size, &mem)
        case .int(var value):
            status = clSetKernelArg(kernel.kernel, index, MemoryLayout<Int32>.size, &value)
        case .float(var value):
            status = clSetKernelArg(kernel.kernel, index, MemoryLayout<Float>.size, &value)
        case .strided(let layout):
            status = layout.packed().withUnsafeBytes { clSetKernelArg(kernel.kernel, index, $0.count, $0.baseAddress) }
        case .words(let words):
            status = words.withUnsafeBytes { clSetKernelArg(kernel.kernel, index, $0.count, $0.baseAddress) }
        }
        try check(status, "clSetKernelArg(\(kernel.name), argument \(index))")
    }
}
