// dlib's MMOD CNN face detector (mmod_human_face_detector.dat, the net of dlib's
// dnn_mmod_face_detection_ex.cpp) on the engine: the tiled pyramid built on the CPU, the
// network (convolutions with the affine folded in and relu fused) as one Program on the chosen
// backend, then loss_mmod's decoding: every output above the threshold is an 80×80 window
// mapped back to the photo, strongest first, with dlib's non-maximum suppression.
import Foundation

public final class MMODDetector: FaceDetector {
    /// The file name inside a models folder.
    public static let relativePath = "dlib/mmod_human_face_detector.dat"
    /// The most pixels the detector looks at (after upsampling; default 6 million, about 1 GB peak
    /// on the CPU backend, enough for a 1280×1024 photo upsampled once). Larger photos are
    /// reduced to this by area averaging and an upsampling that would pass it is not done, so
    /// faces under about 80 × (photo pixels / maxPixels)^½ pixels go unseen; boxes are mapped
    /// back to the full photo.
    public var maxPixels = 6_000_000

    public let path: String
    /// Windows scoring above this are detections (dlib's adjust_threshold; its Python default 0).
    public var threshold: Double = 0
    /// When no window scores above `threshold`, the best one above this is returned alone: a weak
    /// detection (`FaceLandmarker.isWeak`); nil: none. Measured: the two synthetic faces at 50° and 60°
    /// of yaw that the detector misses (seed 2024) have their best windows on the face at −0.39 and
    /// −0.41 (fits from them beat the mean face: 1.354 and 0.967 mm against 1.442 and 0.986); the best
    /// windows of 53 pictures without a face (squares of 100 px and up cut from the test photos away
    /// from their faces, pixel noise, UV maps of faces) −1.14 at most.
    public var weakThreshold: Double? = -0.5
    let backend: any Backend
    let mean: (red: Float, green: Float, blue: Float)
    let padding: Int, outerPadding: Int
    let window: (width: Int, height: Int)
    let nmsIoU: Double, nmsCovered: Double
    /// The convolutions with each affine folded in: weight·scale, bias·scale + shift.
    let convolutions: [(weight: HostTensor, bias: HostTensor, window: Window, kernel: Int, relu: Bool)]

    public var name: String { "dlib MMOD CNN (\(path))" }

    /// Reads and checks the network; `device` runs it (the CPU backend when nil).
    public init(path: String, device: (any Backend)? = nil) throws {
        self.path = path
        backend = device ?? CPUBackend.shared
        func wrong(_ problem: String) -> EngineError {
            .badFile(
                path: path,
                problem: problem + "; expected dlib's mmod_human_face_detector.dat "
                    + "(bash scripts/fetch-models.sh)")
        }
        let file = try DlibNetworkFile(path: path, format: "a dlib MMOD network")
        let kinds = file.layers.map(\.kind)
        let block = ["con", "affine", "relu"]
        let expected = ["input"] + Array(repeating: block, count: 6).flatMap { $0 } + ["con"]
        guard kinds == expected else { throw wrong("its layers are \(kinds.joined(separator: ", "))") }
        guard case .mmod(let options) = file.loss, options.windows.count == 1, !options.usesBoxRegression,
            options.assumesPyramid
        else { throw wrong("its loss is not loss_mmod with one window") }
        guard case .input(let input) = file.layers[0], input.kind == "input_rgb_image_pyramid" else {
            throw wrong("its input is not input_rgb_image_pyramid")
        }
        (mean, padding, outerPadding) = (input.mean, input.pyramidPadding, input.pyramidOuterPadding)
        window = (options.windows[0].width, options.windows[0].height)
        (nmsIoU, nmsCovered) = (options.nmsIoU, options.nmsCovered)
        // filters, inputs, kernel, stride, padding of each convolution in dlib's definition.
        let shapes = [
            (16, 3, 5, 2, 0), (32, 16, 5, 2, 0), (32, 32, 5, 2, 0),
            (45, 32, 5, 1, 2), (45, 45, 5, 1, 2), (45, 45, 5, 1, 2), (1, 45, 9, 1, 4),
        ]
        var convolutions: [(HostTensor, HostTensor, Window, Int, Bool)] = []
        for (k, shape) in shapes.enumerated() {
            let layer = file.layers[1 + 3 * k]
            guard case .convolution(let weights, let weightShape, let bias, let stride, let pad) = layer
            else {
                throw wrong("layer \(1 + 3 * k) is not a convolution")
            }
            let (filters, inputs, kernel, s, p) = shape
            guard weightShape == [filters, inputs, kernel, kernel], [stride.y, stride.x] == [s, s],
                [pad.y, pad.x] == [p, p]
            else {
                throw wrong(
                    "convolution \(k) is \(weightShape) stride \(stride) padding \(pad), expected "
                        + "[\(filters), \(inputs), \(kernel), \(kernel)] stride \(s) padding \(p)")
            }
            var w = weights
            var b = bias ?? [Float](repeating: 0, count: filters)
            if k < 6, case .affine(let scale, let shift) = file.layers[2 + 3 * k] {
                guard scale.count == filters, shift.count == filters else {
                    throw wrong("affine \(k) has \(scale.count) channels")
                }
                let taps = inputs * kernel * kernel
                for f in 0..<filters {
                    for i in 0..<taps { w[f * taps + i] *= scale[f] }
                    b[f] = b[f] * scale[f] + shift[f]
                }
            }
            convolutions.append(
                (
                    HostTensor(weightShape, w), HostTensor([filters], b),
                    Window(stride: (s, s), padding: (p, p, p, p)), kernel, k < 6
                ))
        }
        self.convolutions = convolutions
    }

    /// The model file, in ModelFiles' search order.
    public static func locate(
        explicit: String? = nil, flag: String = "--detector-model",
        environment: [String: String] = ProcessInfo.processInfo.environment,
        searchFolders: [String] = ModelFiles.defaultFolders()
    ) throws -> String {
        try ModelFiles.locate(
            relativePath, what: "dlib's MMOD face detector", explicit: explicit, flag: flag,
            environment: environment, searchFolders: searchFolders)
    }

    /// The faces in `photo`, largest first. A photo under 80 pixels on a side (after upsampling)
    /// is an error: no face in it is large enough for the detector's window.
    public func detect(_ photo: RGBImage8, upsample: Int = 0) throws -> [DetectedFace] {
        guard (0...4).contains(upsample) else {
            throw EngineError.invalidValue("upsample is 0…4, got \(upsample)")
        }
        let work = WorkingPhoto(photo, upsample: upsample, maxPixels: maxPixels)
        guard min(work.image.width, work.image.height) >= min(window.width, window.height) else {
            throw EngineError.invalidValue(
                "the photo is \(photo.width)×\(photo.height) pixels"
                    + (upsample > 0 ? " (\(work.image.width)×\(work.image.height) upsampled)" : "")
                    + "; the MMOD detector sees faces of \(window.width)×\(window.height) pixels or more: "
                    + "upsample it (--upsample 1) or give a larger photo")
        }
        let pyramid = MMODPyramid(
            width: work.image.width, height: work.image.height, padding: padding,
            outerPadding: outerPadding)
        let scores = try networkOutput(pyramid.tensor(work.image, mean: mean))
        return decode(scores, pyramid: pyramid).map(work.toPhoto)
            .sorted { ($0.area, $0.score) > ($1.area, $1.score) }
    }

    /// The network's score map [1, 1, P, Q] for a tiled image [1, 3, rows, cols].
    func networkOutput(_ tiled: HostTensor) throws -> HostTensor {
        let g = Graph()
        var x = g.input("image", tiled.shape)
        for c in convolutions {
            x = try g.conv2d(x, g.constant(c.weight), bias: g.constant(c.bias), c.window)
            if c.relu { x = try g.relu(x) }  // the program fuses it into the convolution
        }
        let program = try Program(graph: g, outputs: [x], device: backend)
        try program.set("image", tiled)
        try program.run()
        return try program.read(x)
    }

    /// loss_mmod's to_label: windows scoring above the threshold, in photo pixels (rounded as
    /// dlib's rectangle), strongest first, each dropped if it overlaps one kept before it; when none
    /// passes, the strongest above `weakThreshold` (stronger windows come first, so the weak ones
    /// change nothing when one passes).
    func decode(_ scores: HostTensor, pyramid: MMODPyramid) -> [DetectedFace] {
        let (rows, cols) = (scores.shape[2], scores.shape[3])
        let floor = Swift.min(threshold, weakThreshold ?? threshold)
        var candidates: [(rect: DlibRect, score: Double)] = []
        for r in 0..<rows {
            for c in 0..<cols where Double(scores.values[r * cols + c]) > floor {
                // output_tensor_to_input_tensor: back through each convolution, top first.
                var (x, y) = (Double(c), Double(r))
                for conv in convolutions.reversed() {  // square strides and paddings (checked in init)
                    let (stride, pad, half) = (
                        Double(conv.window.strideW), Double(conv.window.padLeft),
                        Double(conv.kernel / 2)
                    )
                    (x, y) = (x * stride - pad + half, y * stride - pad + half)
                }
                let box = DlibRect.centered(
                    x: x, y: y, width: Double(window.width),
                    height: Double(window.height))
                candidates.append((pyramid.toPhoto(box).rounded(), Double(scores.values[r * cols + c])))
            }
        }
        candidates.sort { $0.score > $1.score }
        var kept: [(rect: DlibRect, score: Double)] = []
        for candidate in candidates where !kept.contains(where: { overlaps($0.rect, candidate.rect) }) {
            kept.append(candidate)
        }
        let faces = kept.map { DetectedFace($0.rect, score: $0.score) }
        let passed = faces.filter { $0.score > threshold }
        return passed.isEmpty ? Array(faces.prefix(1)) : passed
    }

    /// dlib's test_box_overlap: intersection over the bounding box of both above the IoU
    /// threshold, or covering more than `nmsCovered` of either.
    func overlaps(_ a: DlibRect, _ b: DlibRect) -> Bool {
        let inner = a.intersection(b).area
        guard inner > 0 else { return false }
        return inner / a.bounding(b).area > nmsIoU
            || inner / a.area > nmsCovered || inner / b.area > nmsCovered
    }
}

/// The image the network sees: the photo reduced to the pixel cap if larger, then upsampled
/// (dlib's pyramid_up) as asked while under the cap; and the map of its boxes back to the photo.
struct WorkingPhoto {
    let image: RGBImage8
    /// Photo pixels per reduced pixel (1 when the photo was not reduced), and the upsamplings done.
    let reduction: Double, upsampled: Int

    init(_ photo: RGBImage8, upsample: Int, maxPixels: Int) {
        var image = photo
        var reduction = 1.0
        if photo.width * photo.height > maxPixels {
            reduction = (Double(photo.width * photo.height) / Double(maxPixels)).squareRoot()
            image = photo.areaReduced(
                width: Int(Double(photo.width) / reduction),
                height: Int(Double(photo.height) / reduction))
            reduction = Double(photo.width) / Double(image.width)
        }
        var done = 0
        while done < upsample, (2 * image.width + 2) * (2 * image.height + 1) <= maxPixels {
            image = image.dlibPyramidUp()
            done += 1
        }
        (self.image, self.reduction, upsampled) = (image, reduction, done)
    }

    /// A face found in `image` in the photo's pixels: pyramid_down<2>'s rect_down once per
    /// upsampling (rounded, as dlib's Python binding), then scaled by the reduction.
    func toPhoto(_ face: DetectedFace) -> DetectedFace {
        var rect = DlibRect(left: face.left, top: face.top, right: face.right, bottom: face.bottom)
        rect = rect.mapped { DlibPyramidDown(n: 2).down($0, $1, levels: upsampled) }.rounded()
        if reduction != 1 {
            // Continuous extents [left, right + 1) scale; back to inclusive pixels.
            rect = DlibRect(
                left: rect.left * reduction, top: rect.top * reduction,
                right: (rect.right + 1) * reduction - 1,
                bottom: (rect.bottom + 1) * reduction - 1
            ).rounded()
        }
        return DetectedFace(rect, score: face.score)
    }
}

extension RGBImage8 {
    /// The photo resampled to `width` × `height` by area averaging (FaceCrop's weights).
    func areaReduced(width: Int, height: Int) -> RGBImage8 {
        let (w, h) = (self.width, self.height)
        let rows = FaceCrop.weights(start: 0, length: Double(h), outputs: height, inputs: h)
        let columns = FaceCrop.weights(start: 0, length: Double(w), outputs: width, inputs: w)
        var out = [UInt8](repeating: 0, count: width * height * 3)
        var band = [Float](repeating: 0, count: self.width * 3)
        for (i, rowTaps) in rows.enumerated() {
            for k in band.indices { band[k] = 0 }
            for (j, weight) in rowTaps {
                for k in 0..<(self.width * 3) { band[k] += weight * Float(samples[j * self.width * 3 + k]) }
            }
            for (x, columnTaps) in columns.enumerated() {
                for channel in 0..<3 {
                    let v = columnTaps.reduce(Float(0)) { $0 + $1.weight * band[$1.index * 3 + channel] }
                    out[(i * width + x) * 3 + channel] = UInt8(max(0, min(255, v.rounded())))
                }
            }
        }
        return RGBImage8(width: width, height: height, samples: out)
    }
}

extension DetectedFace {
    init(_ rect: DlibRect, score: Double) {
        self.init(left: rect.left, top: rect.top, right: rect.right, bottom: rect.bottom, score: score)
    }
}
