-- Demo schema: fake customers with e-mails and card numbers (all values are invented; the card numbers
-- pass the Luhn check so the masking detectors have something real to find).
CREATE TABLE customers (
    id          serial PRIMARY KEY,
    name        text NOT NULL,
    email       text NOT NULL,
    card_number text NOT NULL,
    country     text NOT NULL
);
INSERT INTO customers (name, email, card_number, country) VALUES
    ('Ada Lovelace',    'ada@example.com',     '4111 1111 1111 1111', 'GB'),
    ('Grace Hopper',    'grace@example.org',   '5500 0000 0000 0004', 'US'),
    ('Alan Turing',     'alan@example.net',    '3400 0000 0000 009',  'GB'),
    ('Katherine Johnson','kj@example.com',     '6011 0000 0000 0004', 'US');

CREATE TABLE orders (
    id          serial PRIMARY KEY,
    customer_id int NOT NULL REFERENCES customers(id),
    amount      numeric(10,2) NOT NULL,
    placed_at   timestamptz NOT NULL DEFAULT now()
);
INSERT INTO orders (customer_id, amount) VALUES (1, 120.00), (2, 75.50), (2, 19.99), (4, 250.00);
