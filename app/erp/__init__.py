"""ERP sync: what a partner's ERP sends, in batches.

* ``products``: products by SKU, with images, documents and category path.
* ``customers``: customers by number, with delivery addresses and schedule.
* ``prices``: stock levels by SKU and agreement prices by customer and SKU.
* ``batch``: the cycle all of them share; ``checks``: how items are declared and checked.

Every batch works the same way:

* At most ``MAX_BATCH`` items; more is refused whole (INVALID_INPUT, field
  "items", nothing applied).
* Each item is checked on its own. A bad item is skipped and reported with its
  path ("items.3.listPrice"); it never stops the good ones. An item whose
  business key (sku, customer number, customer number + sku) already appeared
  earlier in the batch is refused (INVALID_INPUT on the later one).
* The good items are applied in one transaction, with the batch's audit entry:
  a failure of the database rolls the whole batch back (the client sees an
  INTERNAL error), never a part of it. When a concurrent batch made one of the
  same business keys first (a unique violation), the batch is run again from
  fresh data; that is what makes two simultaneous syncs safe.
* Idempotent by business key: a field left out (None) keeps its stored value,
  a list that is given (images, documents, addresses) replaces the stored one,
  and an item that changes nothing counts as unchanged and writes nothing.

The work is done in bulk: one query loads the batch's existing rows by business
key, categories are found or made once per batch, inserts and updates go out as
multi-row statements (``app.bulk``), and the search index is rebuilt once for
every product whose indexed text changed.
"""
