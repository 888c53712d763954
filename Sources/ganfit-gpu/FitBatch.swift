// What `fit --batch` adds to a photo's fit: the landmarks file beside a photo, and the message for a
// line of several photos (one person; fitted together once the engine takes several inputs).
import Foundation

enum FitBatch {
    static let severalPhotos = "several photos per line: not yet supported (give one photo per line)"

    /// PHOTO's landmarks when a .pts file with its name sits beside it (photo.jpg → photo.pts), else nil.
    static func landmarks(beside photo: String) -> String? {
        let path = (photo as NSString).deletingPathExtension + ".pts"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }
}
