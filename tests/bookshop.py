"""A small hand-made bookshop, the kind of catalog whose titles say little of what a
product is: genres and subjects are in the descriptions ("Fans of historical romance
will enjoy ..."), a few series titles end on a genre ("(A Seaside Romance)"), titles
say "Men" or "War" as names, not as whom a book is for or what it is about."""

from __future__ import annotations

from catalog.models import Product, RawDataset

CATEGORY = ["Books"]

BOOKS = [
    # Historical romances whose titles name no genre
    ("b01", "Highland Autumn", "Fans of historical romance and sweeping Scottish sagas will"
     " enjoy Highland Autumn, a love story across two centuries."),
    ("b02", "The Duke's Wager", "A historical romance set in Regency London, with a witty"
     " heroine and a duke who bets on the wrong horse."),
    ("b03", "Letters from Lisbon", "Fans of historical romance will enjoy this tale of a"
     " translator and a sea captain in 1755 Lisbon."),
    ("b21", "Summer at Willow Creek", "A sweet small-town romance about a vet and a"
     " beekeeper."),
    ("b22", "Second Chances", "A heartfelt romance about a divorced chef who finds love"
     " again."),
    ("b23", "The Wedding Planner's Secret", "A romantic comedy full of humor and romance, set"
     " at a vineyard wedding."),
    # Contemporary romances in a series whose titles end on the genre
    ("b04", "Harbor Lights (A Seaside Romance)", "A contemporary romance and women's fiction"
     " about a baker who returns to her hometown."),
    ("b05", "Tide Song (A Seaside Romance)", "A contemporary romance and women's fiction"
     " about a lifeguard and a widowed architect."),
    ("b06", "Moonrise Cove (A Seaside Romance)", "A contemporary romance and women's fiction"
     " about two rival florists."),
    # Titles that say "Men" as a name
    ("b07", "Mountain Men of Montana", "Fans of western adventure will enjoy these stories of"
     " trappers in the Rocky Mountains."),
    ("b08", "The Iron Men: A Novel", "A gritty novel of steelworkers in 1920s Pittsburgh."),
    ("b09", "Men of the Northern Sea", "Fans of seafaring adventure will enjoy this saga of"
     " whalers off Greenland."),
    # Thrillers
    ("b10", "Cold Harbor", "A gripping thriller: a detective hunts a killer through a frozen"
     " port town."),
    ("b11", "The Silent Witness", "Fans of psychological thrillers will enjoy this story of a"
     " juror who knows too much, by Dana K. Reyes."),
    ("b12", "Night Train to Vienna", "A fast-paced spy thriller on a sleeper train across"
     " Europe."),
    ("b24", "Dead Reckoning (A Jack Stone Thriller)", "A naval thriller: a former diver"
     " uncovers a smuggling ring."),
    ("b25", "Black Ice (A Jack Stone Thriller)", "A thriller of a kidnapping in an Alaskan"
     " winter."),
    ("b26", "Red Line (A Jack Stone Thriller)", "A political thriller in Washington."),
    # Books about the Second World War, whose titles do not say it
    ("b13", "Ghosts of Normandy", "Fans of World War II history will enjoy this account of"
     " the Normandy landings."),
    ("b14", "The Bridge at Arnhem", "A history of World War II's Operation Market Garden,"
     " told by the soldiers who fought it."),
    ("b15", "Pacific Skies", "World War II history of the air war over the Pacific."),
    ("b27", "The Nightingale Road", "A novel of the French resistance in World War II."),
    ("b28", "London Burning", "A history of the Blitz, the bombing of London in World War"
     " II."),
    # Titles that end on "War", none of them about the Second World War
    ("b16", "Cousins at War", "A history of the Wars of the Roses and the families that"
     " fought them."),
    ("b17", "The Last Summer Before the War", "A history of Europe in 1914, before the"
     " First World War."),
    ("b18", "Dragons at War (Volume 2)", "An epic fantasy of dragon riders and a falling"
     " empire."),
    ("b19", "Kitchen Table Wisdom", "Fans of gentle memoirs will enjoy these essays on"
     " family and food."),
    ("b20", "The Gardener's Year", "A warm memoir full of humor: a year spent restoring"
     " an old walled garden."),
    # Journals, whose titles name them, with a word of a genre in their descriptions
    *[(f"j{i}", f"Leather Journal, {c}", "Write your own romance in it.")
      for i, c in enumerate(["Brown", "Black", "Red"])],
]  # fmt: skip


def dataset() -> RawDataset:
    products = [
        Product(id=pid, title=title, categories=list(CATEGORY), description=description)
        for pid, title, description in BOOKS
    ]
    return RawDataset(products, [], [], [])
