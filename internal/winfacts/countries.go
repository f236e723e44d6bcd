package winfacts

import "strings"

// CountryNames is the country/region list of Win32_TSLicenseServer's
// CountryRegion as modelled (the fact "value:CountryRegion", UNVERIFIED,
// quirk accept_any_country): English short names as RD Licensing Manager's
// Activate Server Wizard shows them on en-US systems, with a few older
// spellings. winsim refuses names outside it; the provider checks
// country_region against it at plan.
var CountryNames = []string{
	"Afghanistan", "Åland Islands", "Albania", "Algeria", "American Samoa", "Andorra", "Angola",
	"Anguilla", "Antarctica", "Antigua and Barbuda", "Argentina", "Armenia", "Aruba", "Australia",
	"Austria", "Azerbaijan", "Bahamas", "Bahrain", "Bangladesh", "Barbados", "Belarus", "Belgium",
	"Belize", "Benin", "Bermuda", "Bhutan", "Bolivia", "Bonaire, Sint Eustatius and Saba",
	"Bosnia and Herzegovina", "Botswana", "Bouvet Island", "Brazil", "British Indian Ocean Territory",
	"British Virgin Islands", "Brunei", "Bulgaria", "Burkina Faso", "Burundi", "Cabo Verde",
	"Cambodia", "Cameroon", "Canada", "Cayman Islands", "Central African Republic", "Chad", "Chile",
	"China", "Christmas Island", "Cocos (Keeling) Islands", "Colombia", "Comoros", "Congo",
	"Congo (DRC)", "Cook Islands", "Costa Rica", "Côte d'Ivoire", "Croatia", "Cuba", "Curaçao",
	"Cyprus", "Czechia", "Denmark", "Djibouti", "Dominica", "Dominican Republic", "Ecuador", "Egypt",
	"El Salvador", "Equatorial Guinea", "Eritrea", "Estonia", "Eswatini", "Ethiopia",
	"Falkland Islands", "Faroe Islands", "Fiji", "Finland", "France", "French Guiana",
	"French Polynesia", "French Southern Territories", "Gabon", "Gambia", "Georgia", "Germany",
	"Ghana", "Gibraltar", "Greece", "Greenland", "Grenada", "Guadeloupe", "Guam", "Guatemala",
	"Guernsey", "Guinea", "Guinea-Bissau", "Guyana", "Haiti", "Heard Island and McDonald Islands",
	"Honduras", "Hong Kong SAR", "Hungary", "Iceland", "India", "Indonesia", "Iran", "Iraq",
	"Ireland", "Isle of Man", "Israel", "Italy", "Jamaica", "Japan", "Jersey", "Jordan",
	"Kazakhstan", "Kenya", "Kiribati", "Korea", "Kosovo", "Kuwait", "Kyrgyzstan", "Laos", "Latvia",
	"Lebanon", "Lesotho", "Liberia", "Libya", "Liechtenstein", "Lithuania", "Luxembourg",
	"Macao SAR", "Madagascar", "Malawi", "Malaysia", "Maldives", "Mali", "Malta",
	"Marshall Islands", "Martinique", "Mauritania", "Mauritius", "Mayotte", "Mexico", "Micronesia",
	"Moldova", "Monaco", "Mongolia", "Montenegro", "Montserrat", "Morocco", "Mozambique", "Myanmar",
	"Namibia", "Nauru", "Nepal", "Netherlands", "New Caledonia", "New Zealand", "Nicaragua", "Niger",
	"Nigeria", "Niue", "Norfolk Island", "North Korea", "North Macedonia",
	"Northern Mariana Islands", "Norway", "Oman", "Pakistan", "Palau", "Palestinian Authority",
	"Panama", "Papua New Guinea", "Paraguay", "Peru", "Philippines", "Pitcairn Islands", "Poland",
	"Portugal", "Puerto Rico", "Qatar", "Réunion", "Romania", "Russia", "Rwanda",
	"Saint Barthélemy", "Saint Helena, Ascension and Tristan da Cunha", "Saint Kitts and Nevis",
	"Saint Lucia", "Saint Martin", "Saint Pierre and Miquelon", "Saint Vincent and the Grenadines",
	"Samoa", "San Marino", "São Tomé and Príncipe", "Saudi Arabia", "Senegal", "Serbia",
	"Seychelles", "Sierra Leone", "Singapore", "Sint Maarten", "Slovakia", "Slovenia",
	"Solomon Islands", "Somalia", "South Africa", "South Georgia and the South Sandwich Islands",
	"South Sudan", "Spain", "Sri Lanka", "Sudan", "Suriname", "Svalbard and Jan Mayen", "Sweden",
	"Switzerland", "Syria", "Taiwan", "Tajikistan", "Tanzania", "Thailand", "Timor-Leste", "Togo",
	"Tokelau", "Tonga", "Trinidad and Tobago", "Tunisia", "Türkiye", "Turkmenistan",
	"Turks and Caicos Islands", "Tuvalu", "U.S. Outlying Islands", "U.S. Virgin Islands", "Uganda",
	"Ukraine", "United Arab Emirates", "United Kingdom", "United States", "Uruguay", "Uzbekistan",
	"Vanuatu", "Vatican City", "Venezuela", "Vietnam", "Wallis and Futuna", "Western Sahara",
	"Yemen", "Zambia", "Zimbabwe",
	// Alternative spellings seen in older lists.
	"Czech Republic", "Turkey", "Viet Nam", "Russian Federation", "Hong Kong", "Macao", "Swaziland",
	"Cape Verde", "United States of America",
}

var countrySet = func() map[string]string {
	m := make(map[string]string, len(CountryNames))
	for _, n := range CountryNames {
		m[strings.ToLower(n)] = n
	}
	return m
}()

// IsCountry reports whether name is on CountryNames (case-insensitive,
// surrounding spaces ignored).
func IsCountry(name string) bool {
	_, ok := CountryName(name)
	return ok
}

// CountryName is the list's spelling of name (case-insensitive).
func CountryName(name string) (string, bool) {
	n, ok := countrySet[strings.ToLower(strings.TrimSpace(name))]
	return n, ok
}
