/// A store chunk's events in columns, as the store's reader decodes them,
/// for `EventStore.append(_:taking:)`: the reader decodes column after
/// column and the store takes the events in one loop of its own.
package struct StoredColumns {
    package let timestamps: [Int64]
    package let kinds: [EventKind]
    package let numbers: [(from: Double, to: Double, position: Double, duration: Double)]
    package let ids: StoredIDs

    package init(
        timestamps: [Int64], kinds: [EventKind], numbers: [(from: Double, to: Double, position: Double, duration: Double)],
        ids: StoredIDs
    ) {
        precondition(kinds.count == timestamps.count && numbers.count == timestamps.count && ids.count == timestamps.count,
                     "StoredColumns: columns of different lengths")
        (self.timestamps, self.kinds, self.numbers, self.ids) = (timestamps, kinds, numbers, ids)
    }

    /// An event a store takes: its index in the columns, and the store's
    /// ids for its view and attributes.
    package struct Taken {
        package let event: Int
        package let view: UInt32
        package let attributes: UInt32

        package init(event: Int, view: UInt32, attributes: UInt32) {
            (self.event, self.view, self.attributes) = (event, view, attributes)
        }
    }
}

/// A chunk's event ids, each in the form `EventIDTable` holds it in, so that
/// most go to the table with no text looked at again: per event a form (0
/// absent, 1...16 a short id of that many bytes, 17-20 packed, `longForm`
/// text of more than 16 bytes) and two words (short or packed: the id, as
/// `EventIDTable.Held` lays it out; long: the range of its bytes in `long`).
/// The table checks that each short or packed id is canonical as it takes it.
package struct StoredIDs {
    package static let longForm: UInt8 = 255
    package let forms: [UInt8]
    package let words: [(low: UInt64, high: UInt64)]
    package let long: [UInt8]

    package init(forms: [UInt8], words: [(low: UInt64, high: UInt64)], long: [UInt8]) {
        precondition(forms.count == words.count, "StoredIDs: forms and words of different lengths")
        (self.forms, self.words, self.long) = (forms, words, long)
    }

    package var count: Int { forms.count }
}
